"""The catalogue of hostile and careless inputs (the reliability issue's list): every one ends in a
clear error that names the bad input, exit code 2, never "unexpected" and never a traceback, and
leaves every file it was pointed at as it was."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nlpzoo.cli import main

SITE = 'start_urls = ["{start}"]\nallowed_domains = ["127.0.0.1"]\ntext = "p"\n{extra}\n[score]\nkeywords = ["مطعم"]\n'


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    (root / "all-high.csv").write_text("text,score\n" + "".join(f"نص رقم {i},9\n" for i in range(30)), "utf-8")
    (root / "dup.csv").write_text("text,score,text\nنص,9,آخر\n", "utf-8")
    (root / "in.csv").write_text("text\nالطعام لذيذ\n", "utf-8")
    (root / "notes.txt").write_text("my notes\nno newline at the end", "utf-8")
    (root / "reviews.csv").write_text("text,score\nالطعام لذيذ,9\nالخدمة بطيئة,2\n", "utf-8")
    (root / "offsite.toml").write_text(SITE.format(start="http://evil.example/", extra=""), "utf-8")
    (root / "site.toml").write_text(SITE.format(start="http://127.0.0.1:9/", extra=""), "utf-8")
    (root / "lazy.toml").write_text(SITE.format(start="http://127.0.0.1:9/", extra="").replace(
        "[score]", "[politeness]\nconcurrency = 0\n\n[score]"), "utf-8")
    (root / "escape.toml").write_text('[datasets."../../../../tmp/x"]\nurl = "http://127.0.0.1/x.csv"\nformat = "csv"\n'
                                      f'sha256 = "{"a" * 64}"\n', "utf-8")
    (root / "evil.toml").write_text(f'[datasets.evil]\nurl = "http://127.0.0.1/evil.pth"\nsha256 = "{"a" * 64}"\n',
                                    "utf-8")
    (root / "passwd.toml").write_text('[datasets.passwd]\npath = "/etc/passwd"\nformat = "csv"\n', "utf-8")
    (root / "wide.csv").write_text("text," + ",".join(f"c{i}" for i in range(199_999)) + "\nنص,1\n", "utf-8")
    (root / "unclosed.csv").write_text('text,score\n"' + "نص طويل " * 1_300_000 + "\n", "utf-8")
    (root / "liar.vec").write_text("2000000000 3\nword 0.1 0.2 0.3\n", "utf-8")
    run = root / "tfidf"
    result = CliRunner().invoke(main, ["run", "--classifier", "tfidf-logreg", "--out", str(run), "--no-progress"])
    assert result.exit_code == 0, result.output
    broken = root / "no-component"
    broken.mkdir()
    for item in run.iterdir():
        if item.is_file():
            (broken / item.name).write_bytes(item.read_bytes())
    record = json.loads((broken / "zoo_run.json").read_text())
    (broken / "zoo_run.json").write_text(json.dumps({**record, "component": None}))
    return root


CATALOGUE = [
    ("negative hidden size", ["run", "--classifier", "bigru", "--param", "hidden_size=-1"], "'hidden_size' must be >= 1"),
    ("dropout above 1", ["run", "--classifier", "bigru", "--param", "dropout=1.5"], "'dropout' must be 0.0 to 0.95"),
    ("empty batches", ["run", "--classifier", "bigru", "--param", "batch_size=0"], "'batch_size' must be >= 1"),
    ("no epochs", ["run", "--classifier", "bigru", "--param", "epochs=0"], "'epochs' must be >= 1"),
    ("misspelt parameter", ["run", "--classifier", "bigru", "--param", "hiden_size=3"], "Did you mean 'hidden_size'"),
    ("negative threads", ["run", "--classifier", "bigru", "--threads", "-1"], "--threads"),
    ("no processes", ["run", "--classifier", "bigru", "--nproc", "0"], "--nproc"),
    ("NaN threshold", ["run", "--classifier", "bigru", "--discretize", "threshold:nan"], "Bad discretisation"),
    ("NaN bin edge", ["run", "--classifier", "bigru", "--discretize", "bins:0,nan,10"], "Bad discretisation"),
    ("one class only", ["run", "--classifier", "bigru", "--data", "{root}/all-high.csv", "--discretize",
                        "bins:0,4,7,10"], "only one class: high (30 rows)"),
    ("duplicate columns", ["run", "--classifier", "bigru", "--data", "{root}/dup.csv"], "column 'text' appears twice"),
    ("predictions over the input", ["predict", "{root}/tfidf", "--input", "{root}/in.csv", "--output", "{root}/in.csv"],
     "is the input file"),
    ("run without a component", ["predict", "{root}/no-component", "نص"], "names no component"),
    ("scrape into notes", ["scrape", "--scraper", "beautifulsoup", "--site", "{root}/site.toml", "-o", "{root}/notes.txt"],
     "not the output of an earlier scrape"),
    ("scrape into a CSV", ["scrape", "--scraper", "scrapy", "--site", "{root}/site.toml", "-o", "{root}/reviews.csv"],
     "not the output of an earlier scrape"),
    ("off-domain start URL", ["scrape", "--scraper", "scrapy", "--site", "{root}/offsite.toml", "-o", "{root}/o.jsonl"],
     "outside allowed_domains"),
    ("zero concurrency", ["scrape", "--scraper", "scrapy", "--site", "{root}/lazy.toml", "-o", "{root}/o.jsonl"],
     "'politeness.concurrency' must be 1 or more"),
    ("dataset name escaping the cache", ["--registry", "{root}/escape.toml", "data", "list"], "dataset name"),
    ("extension taken from the URL", ["--registry", "{root}/evil.toml", "data", "get", "evil"],
     "key 'format' is required"),
    ("registry path to any file", ["--registry", "{root}/passwd.toml", "data", "list"], "must name a .csv, .tsv or .jsonl"),
    ("bench into a full folder", ["bench", "--classifiers", "tfidf-logreg", "--out", "{root}"], "exists and is not empty"),
    # empty or malformed command-line values (round two)
    ("seeds that are only commas", ["bench", "--classifiers", "tfidf-logreg", "--seeds", ","], "names no seed"),
    ("no parallel jobs", ["bench", "--classifiers", "tfidf-logreg", "--jobs", "0"], "--jobs"),
    ("a study without seeds", ["tune", "--classifier", "tfidf-logreg", "--seeds", " , "], "names no seed"),
    ("no preprocessing steps", ["preprocess", "--steps", "", "نص"], "names no step"),
    ("a condition without =", ["list", "--where", "bidirectional"], "give KEY=VALUE"),
    ("a seed past 32 bits", ["run", "--classifier", "tfidf-logreg", "--seed", "4294967296"], "32 bits"),
    ("a negative seed", ["bench", "--classifiers", "tfidf-logreg", "--seeds", "13,-1"], "32 bits"),
    # unbounded reads (round two)
    ("data from a device", ["run", "--classifier", "tfidf-logreg", "--data", "/dev/zero", "--format", "csv"],
     "not a regular file"),
    ("texts to predict from a device", ["predict", "{root}/tfidf", "--input", "/dev/zero"], "not a regular file"),
    ("a header of 200,000 columns", ["run", "--classifier", "tfidf-logreg", "--data", "{root}/wide.csv"],
     "200,000 columns"),
    ("an unclosed quote", ["run", "--classifier", "tfidf-logreg", "--data", "{root}/unclosed.csv"],
     "longer than 10,000,000 characters"),
    ("vectors that claim 2e9 words", ["run", "--classifier", "bigru", "--param", "embeddings={root}/liar.vec",
                                      "--param", "embedding_dim=3"], "declares 2,000,000,000 words"),
    ("vectors of a huge dimension", ["embed", "--data", "demo", "-o", "{root}/vectors", "--dim", "100000000"], "--dim"),
]


@pytest.mark.parametrize("args, message", [(a, m) for _, a, m in CATALOGUE], ids=[name for name, _, _ in CATALOGUE])
def test_every_hostile_input_is_one_clear_error(files, args, message):
    before = {p.name: p.read_bytes() for p in files.iterdir() if p.is_file()}
    result = CliRunner().invoke(main, [a.replace("{root}", str(files)) for a in args])
    assert result.exit_code == 2, result.output
    assert message in result.output, result.output
    assert "unexpected" not in result.output and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in files.iterdir() if p.is_file()} == before  # nothing was changed


@pytest.mark.parametrize("minor, outcome", [(3, "written"), (7, "no space left")], ids=["null", "full"])
def test_predictions_to_a_device_are_written_into_it_never_over_it(files, tmp_path, minor, outcome):
    """``--output /dev/null`` or ``/dev/full`` (device nodes made alike in a test folder): a rename would
    have turned the device into a regular file."""
    import os
    import stat

    from tests.helpers import device_node

    device = device_node(tmp_path / "device", minor)
    result = CliRunner().invoke(main, ["predict", str(files / "tfidf"), "الطعام لذيذ", "--output", str(device)])
    assert stat.S_ISCHR(os.stat(device).st_mode), "the device node was replaced by a regular file"
    if outcome == "written":
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 2 and f"Cannot write {device}: no space left" in result.output, result.output
        assert "unexpected" not in result.output and "Traceback" not in result.output
