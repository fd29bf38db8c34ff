"""Typo correction breaks ties the same way in every process, whatever the hash seed."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = "from grihaseva.chatbot.nlu.text import _correct; print(' '.join(_correct(w) for w in ['parse', 'plumer', 'clening', 'facail']))"


def test_corrections_do_not_depend_on_the_hash_seed():
    answers = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
        answers.add(done.stdout.strip())
    assert len(answers) == 1, answers
    assert answers.pop().split()[1] == "plumber"
