"""Scores trials with Optuna 3.1's FanovaImportanceEvaluator (used by `importance`; run with Debian's /usr/bin/python3).

Input JSON: {"functions": [{"name", "parameters": [names], "trials": [{"x": [unit coordinates], "value"}]}]}.
Output JSON: {name: {parameter: importance}}.
"""
import json
import sys

import optuna
from optuna.distributions import FloatDistribution
from optuna.importance import FanovaImportanceEvaluator
from optuna.trial import create_trial

optuna.logging.set_verbosity(optuna.logging.WARNING)
data = json.load(open(sys.argv[1]))
out = {}
for function in data["functions"]:
    names = function["parameters"]
    distributions = {n: FloatDistribution(0.0, 1.0) for n in names}
    study = optuna.create_study()
    for t in function["trials"]:
        study.add_trial(create_trial(params=dict(zip(names, t["x"])), distributions=distributions, value=t["value"]))
    importances = optuna.importance.get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=0))
    out[function["name"]] = dict(importances)
json.dump(out, open(sys.argv[2], "w"), indent=2)
