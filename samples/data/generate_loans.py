#!/usr/bin/env python3
"""Writes loans.csv: a small synthetic loan-approval data set for the mlnet-tune README and tests.

Made by this script only (no outside data): 400 applicants drawn with a fixed seed, so running it again
gives the same file byte for byte. Columns mix numbers (some missing), text categories and Booleans, and
the label 'approved' (yes/no) follows a noisy logistic rule of the features, so tuning has something to find.
Run: python3 samples/data/generate_loans.py
"""
import math
import os
import random

ROWS = 400
rng = random.Random(20260523)
employment = ["salaried", "self-employed", "unemployed", "retired"]
purposes = ["car", "home", "education", "business", "other"]

lines = ["age,income,credit_score,debt_ratio,employment,owns_home,purpose,loan_amount,approved"]
for _ in range(ROWS):
    age = rng.randint(19, 75)
    job = rng.choices(employment, weights=[60, 20, 8, 12])[0]
    base = {"salaried": 52000, "self-employed": 61000, "unemployed": 9000, "retired": 28000}[job]
    income = max(3000.0, rng.gauss(base, base * 0.35))
    score = min(850, max(300, int(rng.gauss(640 + (age - 40) * 1.5, 70))))
    debt = min(0.95, max(0.0, rng.gauss(0.32, 0.15)))
    home = rng.random() < (0.25 + 0.5 * (age > 35))
    purpose = rng.choice(purposes)
    amount = round(rng.uniform(1000, 60000), -2)
    z = (0.012 * (score - 640) + 0.00003 * (income - 40000) - 4.0 * (debt - 0.3)
         - 0.00003 * (amount - 20000) + 0.6 * home - 1.5 * (job == "unemployed")
         + 0.4 * (purpose == "home") - 0.3 * (purpose == "business") + rng.gauss(0, 0.8))
    approved = "yes" if 1 / (1 + math.exp(-z)) > 0.5 else "no"
    income_text = "" if rng.random() < 0.04 else f"{income:.0f}"
    lines.append(f"{age},{income_text},{score},{debt:.3f},{job},{str(home).lower()},{purpose},{amount:.0f},{approved}")

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "loans.csv")
with open(path, "w", newline="\n") as f:
    f.write("\n".join(lines) + "\n")
print(f"wrote {path}: {ROWS} rows")
