using MLNetTuning.Storage;

namespace MLNetTuning.Tests.Storage;

public class PostgresConnectionTests
{
    [Test]
    public void Passwords_are_masked_in_connection_strings_and_messages()
    {
        const string connection = "Host=db.example;Username=me;Password=hunter2-x;Database=t";

        Assert.That(PostgresConnectionStrings.Mask(connection), Does.Contain("Password=***").And.Not.Contain("hunter2-x").And.Contain("db.example"));
        Assert.That(PostgresConnectionStrings.Scrub("failed for hunter2-x at Password=hunter2-x", connection), Does.Not.Contain("hunter2-x"));
        Assert.That(PostgresConnectionStrings.Mask("garbage;;pwd = abc"), Does.Not.Contain("abc"));
    }

    [Test]
    public void A_malformed_connection_string_is_refused_without_its_password()
    {
        var error = Assert.Throws<ArgumentException>(() => new PostgresTrialStore("Hots=127.0.0.1;Password=topsecret9"));

        Assert.That(error!.Message, Does.Contain("Malformed PostgreSQL connection string").And.Not.Contain("topsecret9"));
    }

    [Test]
    public void An_unreachable_server_gives_a_store_error_without_the_password()
    {
        var error = Assert.Throws<TrialStoreException>(() => new PostgresTrialStore("Host=127.0.0.1;Port=1;Username=u;Password=topsecret9;Timeout=3"));

        Assert.That(error!.Message, Does.Contain("Cannot use the PostgreSQL store").And.Contain("Port=1").And.Not.Contain("topsecret9"));
    }
}
