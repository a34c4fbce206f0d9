import datetime as dt
import json
import multiprocessing

from bot.cache import FORMAT, ParseCache


def test_round_trip_keeps_dates_and_counts(tmp_path):
    cache = ParseCache(tmp_path)
    key = ParseCache.key("ab" * 20, 64)
    assert cache.get(key) is None
    cache.put(key, "manifest", {"sunset": dt.date(2026, 12, 15), "n": [1, 2.5, None, "x"]})
    entry = cache.get(key)
    assert entry == {"format": FORMAT, "kind": "manifest",
                     "payload": {"sunset": dt.date(2026, 12, 15), "n": [1, 2.5, None, "x"]}}
    assert (cache.hits, cache.misses, cache.writes) == (1, 1, 1)


def test_key_depends_on_settings():
    assert ParseCache.key("a" * 40, 64) != ParseCache.key("a" * 40, 32)


def test_corrupt_entry_is_a_miss_and_is_removed(tmp_path):
    cache = ParseCache(tmp_path)
    key = ParseCache.key("cd" * 20)
    cache.put(key, "skip", None)
    path = next(tmp_path.glob("*/*.json"))
    path.write_text('{"format": 1, "kind": ')
    assert cache.get(key) is None
    assert not path.exists()
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps({"format": 999, "kind": "skip"}))
    assert cache.get(key) is None
    assert not path.exists()


def test_unwritable_cache_is_only_slower(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    cache = ParseCache(blocker)
    cache.put(ParseCache.key("ef" * 20), "skip", None)
    assert cache.get(ParseCache.key("ef" * 20)) is None
    assert cache.writes == 0


def test_prune_bounds_the_size_oldest_first(tmp_path):
    import os

    cache = ParseCache(tmp_path, max_bytes=2_000)
    keys = [ParseCache.key(f"{i:040x}") for i in range(20)]
    for age, key in enumerate(keys):
        cache.put(key, "manifest", {"pad": "x" * 200})
        path = next(tmp_path.glob(f"*/{key}.json"))
        os.utime(path, (1_000_000 + age, 1_000_000 + age))
    removed = cache.prune()
    assert removed > 0
    left = sum(p.stat().st_size for p in tmp_path.glob("*/*.json"))
    assert left <= 1_600
    assert cache.get(keys[-1]) is not None
    assert cache.get(keys[0]) is None


def _writer(root: str, worker: int) -> None:
    cache = ParseCache(root)
    for round_ in range(200):
        cache.put(ParseCache.key("ab" * 20), "manifest", {"worker": worker, "round": round_, "pad": "y" * 500})


def test_concurrent_writers_leave_a_whole_entry(tmp_path):
    procs = [multiprocessing.Process(target=_writer, args=(str(tmp_path), w)) for w in range(3)]
    for proc in procs:
        proc.start()
    reader = ParseCache(tmp_path)
    seen = 0
    while any(p.is_alive() for p in procs):
        entry = reader.get(ParseCache.key("ab" * 20))
        if entry is not None:
            assert entry["payload"]["pad"] == "y" * 500
            seen += 1
    for proc in procs:
        proc.join()
    assert reader.get(ParseCache.key("ab" * 20)) is not None
    assert not list(tmp_path.glob("*/.tmp-*"))
