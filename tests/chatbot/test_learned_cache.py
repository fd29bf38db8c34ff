"""The chatbot's classifiers as the product runs them: the training split ships in the package,
the fitted models are kept under the var dir and reused, a bad kept file is fitted again, and
the app prepares them at start-up on a thread of its own so the first reply does not fit.

Most tests stub the fit (`FakeModel`): what is under test is where the data is found, when the
models are fitted and kept, not what they learn (test_nlu.py checks that)."""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grihaseva.chatbot import conversation
from grihaseva.chatbot.nlu import learned
from grihaseva.demo.seed import seed_demo
from tests.chatbot.conftest import NOW, say
from tests.conftest import serving_app, text
from tests.test_event_loop import RecordingExecutor

ROOT = Path(__file__).resolve().parents[2]


class FakeModel:
    """Stands in for a fitted pipeline (picklable: a module-level class)."""

    def __init__(self, answer: str):
        self.answer = answer

    def predict(self, texts):
        return [self.answer for _ in texts]


class CountingFit:
    """`learned.fit` stand-in: counts its calls; can be held until released."""

    def __init__(self, hold: bool = False):
        self.calls = 0
        self.release = threading.Event()
        if not hold:
            self.release.set()

    def __call__(self, rows, name=learned.CHOSEN):
        assert len(rows) > 1000  # it is given the packaged training split
        self.release.wait(30)
        self.calls += 1
        return learned.Classifiers(intent_model=FakeModel("greeting"), service=None, name="fake")


@pytest.fixture
def fake_fit(monkeypatch):
    fit = CountingFit()
    monkeypatch.setattr(learned, "fit", fit)
    return fit


def kept_files(var_dir: Path) -> list[Path]:
    return sorted((var_dir / learned.CACHE_DIR).glob("classifiers-*.pickle"))


# ---------------------------------------------------------------- the data ships with the package


def test_the_training_split_is_package_data_and_the_product_never_reads_tests():
    package = ROOT / "grihaseva"
    assert learned.TRAINING_FILE.is_relative_to(package) and learned.TRAINING_FILE.is_file()
    assert len(learned.load_rows()) > 1000
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"chatbot/nlu/data/*.jsonl"' in pyproject
    readers = [str(p.relative_to(package)) for p in package.rglob("*.py")
               if '"tests"' in p.read_text(encoding="utf-8") and p.name != "evaluate.py"]
    assert readers == []  # evaluate.py (a developer's tool) alone reads the held-out split


def test_an_installed_copy_without_tests_finds_its_data_and_loads_the_kept_models(tmp_path):
    """setuptools' own copy of the package (what a wheel holds), run from a directory without
    tests/: it reads the packaged training split and loads the models kept in its var dir."""
    pytest.importorskip("setuptools")  # what builds the copy (a venv of Python 3.12+ may lack it)
    lib, var = tmp_path / "lib", tmp_path / "var"
    subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
                    "--build-lib", str(lib)], cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert (lib / "grihaseva" / "chatbot" / "nlu" / "data" / "training.jsonl").is_file()
    fitted = learned.preparation().prepare(learned.var_dir_from_env())  # this process's (fitted once)
    assert fitted is not None
    key = learned.cache_key()
    learned.save_cached(learned.cache_path(var, key), key, fitted)
    probe = (
        "import json; from grihaseva.chatbot.nlu import learned, understand, catalogue_from_demo\n"
        "from grihaseva.chatbot.evaluate import REFERENCE_NOW\n"
        "u = understand('switchboard sparking, kal subah', REFERENCE_NOW, catalogue_from_demo())\n"
        "p = learned.preparation()\n"
        "print(json.dumps({'package': learned.__file__, 'training': str(learned.TRAINING_FILE),"
        " 'fits': p.fits, 'loads': p.loads, 'model': learned.classifiers().name, 'intent': u.intent,"
        " 'service': u.service}))\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(PYTHONPATH=str(lib), GRIHASEVA_VAR_DIR=str(var))
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, check=True,
                          capture_output=True, text=True, timeout=300)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["package"].startswith(str(lib)) and seen["training"].startswith(str(lib))
    assert not (tmp_path / "tests").exists()
    assert (seen["fits"], seen["loads"]) == (0, 1)  # the kept models, found by the same key
    assert seen["model"] == learned.CHOSEN
    assert (seen["intent"], seen["service"]) == ("book", "switchboard-repair")


# ---------------------------------------------------------------- the kept models


def test_a_second_start_loads_the_kept_models_and_does_not_fit(tmp_path, fake_fit):
    first = learned.Preparation()
    assert first.prepare(tmp_path).name == "fake"
    assert (first.fits, first.loads, fake_fit.calls) == (1, 0, 1)
    [kept] = kept_files(tmp_path)
    assert kept.stat().st_mode & 0o777 == 0o600
    written = kept.stat().st_mtime_ns
    assert [p.name for p in kept.parent.iterdir()] == [kept.name]  # no temporary file left

    second = learned.Preparation()
    assert second.prepare(tmp_path).name == "fake"
    assert (second.fits, second.loads, fake_fit.calls) == (0, 1, 1)
    assert kept.stat().st_mtime_ns == written


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other key", "not ours"])
def test_a_damaged_or_foreign_kept_file_is_fitted_again(tmp_path, fake_fit, damage):
    learned.Preparation().prepare(tmp_path)
    [kept] = kept_files(tmp_path)
    good = kept.read_bytes()
    kept.write_bytes({
        "garbage": b"\x00not a pickle at all",
        "truncated": good[: len(good) // 2],
        "empty": b"",
        "other key": pickle.dumps({"key": "0" * 64, "classifiers": pickle.loads(good)["classifiers"]}),
        "not ours": pickle.dumps(["a list"]),
    }[damage])
    again = learned.Preparation()
    assert again.prepare(tmp_path).name == "fake"
    assert (again.fits, fake_fit.calls) == (1, 2)
    assert learned.load_cached(kept, learned.cache_key()) is not None  # written anew, whole


def test_a_change_to_the_training_data_or_the_model_version_fits_anew(tmp_path, fake_fit, monkeypatch):
    learned.Preparation().prepare(tmp_path)
    [old] = kept_files(tmp_path)
    changed = tmp_path / "training.jsonl"
    changed.write_bytes(learned.TRAINING_FILE.read_bytes() + b'{"text": "new one", "intent": "greeting"}\n')
    monkeypatch.setattr(learned, "TRAINING_FILE", changed)
    assert learned.cache_path(tmp_path, learned.cache_key()) != old
    learned.Preparation().prepare(tmp_path)
    monkeypatch.setattr(learned, "MODEL_VERSION", learned.MODEL_VERSION + 1)
    learned.Preparation().prepare(tmp_path)
    assert fake_fit.calls == 3
    [newest] = kept_files(tmp_path)  # the older keys' files are gone
    assert newest == learned.cache_path(tmp_path, learned.cache_key())


def test_an_unwritable_var_dir_still_gives_classifiers(tmp_path, fake_fit):
    blocked = tmp_path / "var"
    blocked.write_text("a file where the directory should be")
    prepared = learned.Preparation()
    assert prepared.prepare(blocked).name == "fake" and prepared.fits == 1


def test_no_training_data_means_rules_only_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.setattr(learned, "TRAINING_FILE", tmp_path / "missing.jsonl")
    prepared = learned.Preparation()
    assert prepared.prepare(tmp_path) is None and prepared.done


# ---------------------------------------------------------------- start-up and the first reply


async def test_the_app_prepares_them_at_start_up_on_its_own_thread(settings, fake_fit, monkeypatch):
    """Before the first message the thread is done and the models are kept in the app's var dir;
    the loop's default executor is not used. The next process start loads them without fitting."""
    for _ in range(2):
        monkeypatch.setattr(learned, "_process", learned.Preparation())
        loop = asyncio.get_running_loop()
        previous = getattr(loop, "_default_executor", None)
        recorder = RecordingExecutor()
        loop.set_default_executor(recorder)
        try:
            async with serving_app(settings) as app:
                threads = [t for t in threading.enumerate() if t.name == "chatbot-classifiers"]
                assert threads or learned.preparation().done
                assert await learned.ready(30)
                response = await say(app.test_client(), "hello")
                assert response.status_code == 200 and "Namaste" in await text(response)
        finally:
            loop._default_executor = previous
            recorder.shutdown(wait=False)
        assert recorder.jobs == []
    assert fake_fit.calls == 1 and learned.preparation().loads == 1
    assert len(kept_files(settings.var_dir)) == 1


@pytest.fixture
async def seeded(db, settings):
    await seed_demo(db, settings)
    return db


async def test_the_first_reply_waits_for_start_up_then_uses_the_classifiers(seeded, tmp_path, monkeypatch):
    fit = CountingFit(hold=True)
    monkeypatch.setattr(learned, "fit", fit)
    monkeypatch.setattr(learned, "_process", learned.Preparation())
    learned.start(tmp_path)
    ticks = 0

    async def ticker():  # the loop keeps running while the reply waits
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticking = asyncio.ensure_future(ticker())
    answer = asyncio.ensure_future(conversation.reply(seeded, {}, None, "zzqx blorp", NOW))
    await asyncio.sleep(0.3)
    assert not answer.done() and ticks >= 5  # waiting, without blocking the loop
    fit.release.set()
    bot, _ = await asyncio.wait_for(answer, 30)
    ticking.cancel()
    assert fit.calls == 1 and learned.classifiers() is not None
    assert "Namaste" in " ".join(bot.parts)  # the fake classifier's "greeting": it was used


async def test_a_reply_waits_only_so_long_then_answers_by_the_rules(seeded, tmp_path, monkeypatch):
    fit = CountingFit(hold=True)
    monkeypatch.setattr(learned, "fit", fit)
    monkeypatch.setattr(learned, "_process", learned.Preparation())
    monkeypatch.setattr(learned, "WAIT_SECONDS", 0.2)
    learned.start(tmp_path)
    try:
        started = time.perf_counter()
        bot, _ = await conversation.reply(seeded, {}, None, "how much is AC service", NOW)
        assert time.perf_counter() - started < 5
        assert learned.classifiers() is None  # still fitting: the rules answered
        assert any("₹" in part for part in bot.parts)
    finally:
        fit.release.set()
    assert await learned.ready(30) and learned.classifiers().name == "fake"
