"""Loading CSV/TSV/JSONL and every validation error, each naming the problem."""
from __future__ import annotations

import json

import pytest

from nlpzoo.data.tables import load_dataset, load_texts, numeric_scores
from nlpzoo.foundations.errors import DataError


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding)
    return path


def test_csv_with_bom_quoted_newlines_and_autodetected_columns(tmp_path):
    path = write(tmp_path, "r.csv", 'id,Review,Rating\n1,"سطر أول\nسطر ثان",4\n2,"جيد, جدا",2\n',
                 encoding="utf-8-sig")
    data = load_dataset(path)
    assert (data.text_col, data.score_col) == ("Review", "Rating")
    assert data.texts == ["سطر أول\nسطر ثان", "جيد, جدا"]
    assert data.scores == ["4", "2"] and data.rows == [3, 4]  # the first record spans lines 2-3


def test_tsv_and_jsonl(tmp_path):
    tsv = load_dataset(write(tmp_path, "r.tsv", "text\tscore\nنص\t7.5\n"))
    assert tsv.texts == ["نص"] and tsv.scores == ["7.5"]
    lines = [json.dumps({"text": "أ", "label": "pos"}, ensure_ascii=False), "", json.dumps({"text": "ب", "label": "neg"})]
    jsonl = load_dataset(write(tmp_path, "r.jsonl", "\n".join(lines)))
    assert jsonl.scores == ["pos", "neg"] and jsonl.score_col == "label"


def test_explicit_columns(tmp_path):
    data = load_dataset(write(tmp_path, "r.csv", "a,b\nنص,3\n"), text_col="a", score_col="b")
    assert data.texts == ["نص"]


def test_missing_file_names_the_path(tmp_path):
    with pytest.raises(DataError, match="nope.csv does not exist.*zoo data list"):
        load_dataset(tmp_path / "nope.csv")


def test_missing_column_lists_the_columns_found(tmp_path):
    path = write(tmp_path, "r.csv", "body,stars\nنص,3\n")
    with pytest.raises(DataError, match="no column 'text'.*Columns found: body, stars.*--text-col"):
        load_dataset(path, text_col="text")
    with pytest.raises(DataError, match="cannot find the score column.*Columns found: body, x"):
        load_dataset(write(tmp_path, "s.csv", "body,x\nنص,3\n"))


def test_empty_dataset(tmp_path):
    with pytest.raises(DataError, match="empty"):
        load_dataset(write(tmp_path, "r.csv", "text,score\n"))


def test_rows_with_empty_text_or_missing_score_are_counted(tmp_path):
    data = load_dataset(write(tmp_path, "r.csv", "text,score\nجيد,5\n  ,3\nسيء,\nممتاز,9\n"))
    assert data.texts == ["جيد", "ممتاز"]
    assert data.dropped == {"empty text": 1, "missing score": 1}
    assert data.rows_in == 4
    assert "dropped 2 of 4 rows (1 with empty text, 1 with missing score)" in data.drop_summary()


def test_all_rows_unusable(tmp_path):
    with pytest.raises(DataError, match="no usable rows"):
        load_dataset(write(tmp_path, "r.csv", "text,score\n,5\n"))


def test_non_numeric_score_names_the_row(tmp_path):
    data = load_dataset(write(tmp_path, "r.csv", "text,score\nجيد,5\nسيء,ten\n"))
    with pytest.raises(DataError, match=r"row 3: score 'ten' in column 'score' is not a number"):
        numeric_scores(data)


def test_score_out_of_declared_range_names_the_row(tmp_path):
    data = load_dataset(write(tmp_path, "r.csv", "text,score\nجيد,5\nسيء,11\n"))
    with pytest.raises(DataError, match=r"row 3: score '11' is outside the declared range 0..10"):
        numeric_scores(data, (0, 10))


def test_unknown_format_and_non_utf8(tmp_path):
    with pytest.raises(DataError, match="cannot tell the format"):
        load_dataset(write(tmp_path, "r.xlsx", "x"))
    path = tmp_path / "r.csv"
    path.write_bytes("text,score\nجيد,5\n".encode("cp1256"))
    with pytest.raises(DataError, match="not UTF-8"):
        load_dataset(path)


def test_bad_jsonl_line(tmp_path):
    with pytest.raises(DataError, match="line 2 is not valid JSON"):
        load_dataset(write(tmp_path, "r.jsonl", '{"text": "a", "score": 1}\n{oops\n'))


def test_duplicate_column_names_are_an_error_that_names_them(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("text,score,text\nالطعام لذيذ,9,نص آخر\n", "utf-8")
    with pytest.raises(DataError, match="column 'text' appears twice in the header; rename one"):
        load_dataset(path)
    path.write_text("text,score,text,score,review,review,review\nأ,1,ب,2,ج,د,ه\n", "utf-8")
    with pytest.raises(DataError, match="column 'review' appears twice in the header \\(and score, text\\); rename"):
        load_dataset(path)


def test_ragged_rows_are_counted_and_reported(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("text,score\nالطعام لذيذ,9\nالخدمة بطيئة,2,extra\nنص بلا درجة\n", "utf-8")
    dataset = load_dataset(path)
    summary = dataset.drop_summary()
    assert "1 row with more fields than the header" in summary and "1 with fewer" in summary
    path.write_text("text,score\nالطعام لذيذ,9\nالخدمة بطيئة,2,extra\n", "utf-8")   # longer rows alone
    assert "1 row with more fields than the header and 0 with fewer" in load_dataset(path).drop_summary()
    path.write_text("text,score\nالطعام لذيذ,9\nالخدمة بطيئة,2\n", "utf-8")
    assert load_dataset(path).drop_summary() is None


def test_a_file_that_is_not_a_table_is_not_echoed_in_errors(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1\n", "utf-8")
    with pytest.raises(DataError) as caught:
        load_dataset(secret, fmt="csv")
    assert "root:x" not in str(caught.value) and "one column" in str(caught.value)


def test_scores_at_the_ends_of_the_declared_range_are_inside_it(tmp_path):
    path = tmp_path / "ends.csv"
    path.write_text("text,score\nنص أول,0\nنص ثان,10\nنص ثالث,5\n", "utf-8")
    assert numeric_scores(load_dataset(path), (0, 10)) == [0.0, 10.0, 5.0]


def test_a_field_longer_than_csvs_default_limit_loads(tmp_path):
    path = tmp_path / "long.csv"
    long_text = "كلمة " * 40000  # about 200 KiB, over csv's 128 KiB default field limit
    path.write_text(f'text,score\n"{long_text}",5\nقصير,2\n', "utf-8")
    assert len(load_dataset(path).texts[0]) > 131072


def test_dropped_rows_are_counted_exactly(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("text,score\nنص,5\n,7\n  ,8\nنص بلا درجة,\nنص آخر,3\n", "utf-8")
    dataset = load_dataset(path)
    assert dataset.dropped == {"empty text": 2, "missing score": 1} and dataset.texts == ["نص", "نص آخر"]
    assert "dropped 3 of 5 rows" in dataset.drop_summary()


@pytest.mark.parametrize("text_col, score_col", [("review", "rating"), ("content", "stars"), ("body", "label"),
                                                 ("sentence", "polarity"), ("Text", "Sentiment")])
def test_every_documented_column_name_is_detected(tmp_path, text_col, score_col):
    path = tmp_path / "named.csv"
    path.write_text(f"{text_col},{score_col}\nنص جميل,1\n", "utf-8")
    dataset = load_dataset(path)
    assert (dataset.text_col, dataset.score_col) == (text_col, score_col)


@pytest.mark.parametrize("suffix, body", [(".tab", "text\tscore\nنص\t5\n"),
                                          (".ndjson", '{"text": "نص", "score": 5}\n')])
def test_tab_and_ndjson_suffixes_are_known_formats(tmp_path, suffix, body):
    path = tmp_path / f"data{suffix}"
    path.write_text(body, "utf-8")
    assert load_dataset(path).texts == ["نص"]


def test_json_texts_that_are_null_or_numbers_are_dropped_or_kept_as_text(tmp_path):
    lines = [{"text": "الطعام لذيذ", "score": 1}, {"text": None, "score": 2}, {"text": 5, "score": 3},
             {"text": "  ", "score": 4}, {"score": 5}]
    path = write(tmp_path, "t.jsonl", "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    dataset = load_dataset(path)
    assert (dataset.texts, dataset.scores) == (["الطعام لذيذ", "5"], [1, 3])
    assert dataset.dropped == {"empty text": 3}


def test_texts_for_generators_drop_and_count_empty_ones_and_ignore_scores(tmp_path):
    lines = [{"text": " الطعام لذيذ "}, {"text": None}, {"text": ""}, {"other": "x"}, {"text": 7, "score": 1}]
    path = write(tmp_path, "t.jsonl", "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n")
    dataset = load_texts(path)
    assert (dataset.texts, dataset.scores, dataset.rows) == (["الطعام لذيذ", "7"], [None, None], [1, 5])
    assert dataset.dropped == {"empty text": 3}
    assert "dropped 3 of 5 rows (3 with empty text)" in dataset.drop_summary()
    path.write_text('{"text": ""}\n{"text": null}\n', "utf-8")
    with pytest.raises(DataError, match="no usable rows: every 'text' is empty"):
        load_texts(path)
