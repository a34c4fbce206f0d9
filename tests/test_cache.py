import datetime as dt
import json
import multiprocessing

from bot.cache import FORMAT, ParseCache, configured_dir
from bot.manifests.codec import dumps, has_dates, loads

BLOB = "ab" * 20


def test_round_trip_and_counts(tmp_path):
    cache = ParseCache(tmp_path)
    key = ParseCache.key(BLOB, 64)
    assert cache.get(key) is None
    cache.put(key, "manifest", ["Contract", dumps({"n": [1, 2.5, None, "x"]})])
    cache.flush()
    again = ParseCache(tmp_path)
    assert again.get(key) == ("manifest", ["Contract", '{"n":[1,2.5,null,"x"]}'])
    assert (cache.misses, cache.writes, again.hits) == (1, 1, 1)


def test_json_text_keeps_dates_and_tells_when_it_has_them():
    data = {"deprecation": {"sunset": dt.date(2026, 12, 15)}, "note": "ünïcode"}
    text = dumps(data)
    assert has_dates(text) and loads(text) == data
    assert not has_dates(dumps({"sunset": "2026-12-15"}))
    assert loads(dumps({"sunset": "2026-12-15"})) == {"sunset": "2026-12-15"}


def test_json_text_keeps_timestamps_as_timestamps():
    stamp = dt.datetime(2026, 12, 20, 10, 0, tzinfo=dt.UTC)
    data = {"sunset": stamp, "default": dt.datetime(2026, 12, 20, 10, 0), "day": dt.date(2026, 12, 20)}
    text = dumps(data)
    assert has_dates(text) and loads(text) == data
    assert type(loads(text)["sunset"]) is dt.datetime and type(loads(text)["day"]) is dt.date
    assert has_dates(dumps({"at": stamp})) and loads(dumps({"at": stamp})) == {"at": stamp}


def test_entries_are_sharded_by_blob_prefix(tmp_path):
    cache = ParseCache(tmp_path)
    for blob in ("ab" + "0" * 38, "ab" + "1" * 38, "cd" + "0" * 38):
        cache.put(ParseCache.key(blob), "skip", None)
    cache.flush()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ab.json", "cd.json"]
    assert len(json.loads((tmp_path / "ab.json").read_text())["entries"]) == 2


def test_key_depends_on_settings():
    assert ParseCache.key(BLOB, 64) != ParseCache.key(BLOB, 32)


def test_corrupt_bucket_is_a_miss_and_is_removed(tmp_path):
    (tmp_path / "ab.json").write_text('{"format": 2, "entries": ')
    assert ParseCache(tmp_path).get(ParseCache.key(BLOB)) is None
    assert not (tmp_path / "ab.json").exists()
    (tmp_path / "ab.json").write_text(json.dumps({"format": FORMAT, "entries": {ParseCache.key(BLOB): "junk"}}))
    assert ParseCache(tmp_path).get(ParseCache.key(BLOB)) is None
    assert not (tmp_path / "ab.json").exists()
    (tmp_path / "ab.json").write_text(json.dumps({"format": 999, "entries": {}}))
    assert ParseCache(tmp_path).get(ParseCache.key(BLOB)) is None


def test_unwritable_cache_is_only_slower(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = ParseCache(blocker)
    cache.put(ParseCache.key(BLOB), "skip", None)
    cache.flush()
    assert cache.writes == 0
    assert ParseCache(blocker).get(ParseCache.key(BLOB)) is None


def test_a_full_bucket_keeps_only_what_this_run_used(tmp_path):
    first = ParseCache(tmp_path)
    old = [ParseCache.key(f"ab{i:038x}") for i in range(50)]
    for key in old:
        first.put(key, "manifest", {"pad": "x" * 100})
    first.flush()
    second = ParseCache(tmp_path, max_bytes=256 * 3_000)  # a bucket's share: 3,000 bytes
    assert second.get(old[0]) is not None
    second.put(ParseCache.key("ab" + "f" * 38), "manifest", {"pad": "y" * 100})
    second.flush()
    third = ParseCache(tmp_path)
    assert third.get(old[0]) is not None
    assert third.get(ParseCache.key("ab" + "f" * 38)) is not None
    assert third.get(old[1]) is None
    assert (tmp_path / "ab.json").stat().st_size <= 3_000


def _writer(root: str, worker: int) -> None:
    for round_ in range(100):
        cache = ParseCache(root)
        cache.put(ParseCache.key(f"ab{worker:02x}{round_:036x}"), "manifest", {"worker": worker, "pad": "y" * 500})
        cache.flush()


def test_concurrent_writers_always_leave_whole_buckets(tmp_path):
    procs = [multiprocessing.Process(target=_writer, args=(str(tmp_path), w)) for w in range(3)]
    for proc in procs:
        proc.start()
    dropped = []

    class Watching(ParseCache):
        def _drop(self, path):
            dropped.append(path)
            super()._drop(path)

    reads = 0
    while any(p.is_alive() for p in procs):
        Watching(tmp_path).get(ParseCache.key(BLOB))
        reads += 1
    assert reads and not dropped  # a reader sees a whole bucket or none, never a torn one
    for proc in procs:
        proc.join()
        assert proc.exitcode == 0
    data = json.loads((tmp_path / "ab.json").read_text())
    assert data["format"] == FORMAT and data["entries"]
    assert not list(tmp_path.glob(".tmp-*"))


def test_an_entry_of_an_older_format_is_a_miss(tmp_path):
    key = ParseCache.key(BLOB, 64)
    (tmp_path / "ab.json").write_text(json.dumps({"format": 3, "entries": {key: ["manifest", ["Model", "{}"]]}}))
    assert FORMAT == 4 and ParseCache(tmp_path).get(key) is None  # 4: entries carry the lines of the manifest


def test_the_edges_choose_the_directory_the_flag_first_then_the_environment(monkeypatch):
    monkeypatch.setenv("MODELGATE_CACHE_DIR", "/from/env")
    assert configured_dir("/from/flag") == "/from/flag" and configured_dir(None) == "/from/env"
    monkeypatch.delenv("MODELGATE_CACHE_DIR")
    assert configured_dir(None) is None and configured_dir("none") == "none"


def test_the_key_includes_modelgates_code_version(tmp_path, monkeypatch):
    """Issue 19, item 16: an entry written by another version of modelgate (or another Python, or other packages:
    the result cache's code digest) is a miss, never what this code would have parsed."""
    import bot
    from bot.code_identity import code_digest

    cache = ParseCache(tmp_path)
    cache.put(ParseCache.key(BLOB, 64), "manifest", ["Contract", "{}"])
    cache.flush()
    assert code_digest()[:16] in ParseCache.key(BLOB, 64)
    monkeypatch.setattr(bot, "__version__", f"{bot.__version__}+other")
    code_digest.cache_clear()
    try:
        assert ParseCache(tmp_path).get(ParseCache.key(BLOB, 64)) is None
    finally:
        code_digest.cache_clear()
