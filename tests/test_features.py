"""Token features (model format 3): the fast serving path scores exactly like the training matrix."""

import json
import pickle
import re
import threading
from functools import reduce
from operator import or_

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from relsignals.features import (
    _TEXT_END,
    TokenScorer,
    _IntMap,
    batch_chunks,
    bit_words,
    fold,
    marked_keys,
    run_starts,
    sentence_keys,
    token_keys,
    word_counts,
)
from relsignals.model import StoredModel
from relsignals.training import CauseClassifier
from relsignals.training.corpus import targets

TEXTS = [
    "He has never hit me. But he yells; I'm scared",
    "my bf got laid off and now he won't talk to me",
    "Since Maya moved in with us, my wife isn't sleeping.\nShe says it's nothing",
    "",
    "   ",
    "\u00e9t\u00e9 \U0001f600 \u202eright-to-left\u202c and ^carets^ and ~tildes~",
]


@pytest.fixture(scope="module")
def fitted(small_frame):
    texts = list(small_frame["text"])
    return CauseClassifier(cv=1, calibrate=False, thresholds=0.5, random_state=0).fit(texts, targets(small_frame))


@pytest.fixture(scope="module")
def stored(fitted):
    return StoredModel(fitted.export())


@pytest.fixture(scope="module")
def held_out(train_frame, small_frame):
    return [t for t in train_frame["text"].sample(400, random_state=1) if t not in set(small_frame["text"])] + TEXTS


def test_keys_make_who_words_canonical_drop_first_names_and_mark_negation_and_names():
    assert token_keys("My GF said Priya isn't wrong, she dont care about Paris") == [
        "my", "partner", "said", "isn't", "~wrong", "they", "don't", "~care", "~about", "~paris^"]
    assert token_keys("he is not, at all") == ["they", "is", "not", "at", "all"]  # a comma ends the scope


def test_keys_keep_sentence_ends_for_the_sentence_rule():
    keys = marked_keys("We fight.\nHe left")
    assert keys == ["we", "fight", "|.", "|.", "they", "left"]
    assert sentence_keys("We fight about money, a lot. He left for work early.", 10) == [
        ["we", "fight", "about", "money", "|", "a", "lot"], ["they", "left", "for", "work", "early"]]
    assert sentence_keys("One sentence only here.", 10) == [] and sentence_keys("Short. Text.", 400) == []


def test_word_bigrams_stop_at_clause_and_sentence_ends():
    from relsignals.features import char_features, word_features

    assert word_features("he left, I stayed. ok") == ["they", "left", "they left", "i", "stayed", "i stayed", "ok"]
    assert "|" not in "".join(char_features("a, b. c"))


def test_keys_equal_a_regex_over_the_whole_text(train_frame):
    # splitting on whitespace and caching each chunk must not change a single token
    token = re.compile(r"[a-z0-9]+(?:'[a-z]+)?\^?|[.!?;:,\n]")
    from relsignals.features import _CAPITALISED, _NEGATORS, _key, _mark_negation

    def reference(text):
        raw = token.findall(fold(_CAPITALISED.sub(r"\g<0>^", text.replace("^", " "))))
        keys = [k for k in ("|." if t == "\n" else _key(t) for t in raw) if k]
        if not _NEGATORS.isdisjoint(keys):
            _mark_negation(keys)
        return keys

    for text in list(train_frame["text"][:1500]) + TEXTS + ["a\r\nb", "x\u2028y", "tab\there"]:
        assert marked_keys(text) == reference(text)


EDGE_TEXTS = [
    "", " ", "\n", "\x00", "a \x00 b", "\x01", "x\x01 Bob left", "Tom \x01 Ann", "^", "^^ He ^hit^ me ^",
    "\u0301he said no", "and then Tom", "Tom", "ΑΣ", "ΣΑΣ' ok", "Σ", "İstanbul İ", "ﬁne Bob ｆｕｌｌ", "a\r\nb",
    "x\u2028y\u0085z", "tab\there\x1c", "he isn't\nhappy", "not", "never, ever. Not", "she said `no` \u2019cause",
    "Paris" + " Nora wasn't there" * 20_000, "my bf is not home but fine. " * 4000,
]


def _length_bit(key):
    return 1 << min(len(key), 70)  # any per-key bits: big ints too


def _length_bits(keys):
    return list(map(_length_bit, keys))


def test_run_starts_finds_where_each_run_of_equal_values_begins():
    assert run_starts(np.array([3, 3, 5, 5, 5, 7])).tolist() == [0, 2, 5]
    assert run_starts(np.array([4])).tolist() == [0]
    assert run_starts(np.array([1, 2, 1])).tolist() == [0, 1, 2]  # runs, not distinct values


def _ints(words):
    """Rows of uint64 words (lowest first) back as Python ints."""
    return [sum(int(w) << (64 * i) for i, w in enumerate(row)) for row in words.tolist()]


def test_bit_words_hold_ints_of_any_size():
    values = [0, 1, (1 << 64) - 1, 1 << 64, (1 << 130) + 5, 7 << 63]
    words = bit_words(values, 3)
    assert words.dtype == np.uint64 and words.shape == (6, 3) and _ints(words) == values
    assert bit_words([], 2).shape == (0, 2)


def _read_keys(scorer, texts):
    batch = scorer.read(texts, _length_bits)
    keys = [scorer._keys[i] for i in batch.ids.tolist()]
    return [keys[a:a + n] for a, n in zip(batch.starts.tolist(), batch.lengths.tolist())], batch.bits


def test_batch_read_gives_each_texts_marked_keys(stored, train_frame):
    # one split and numpy negation over a whole batch: the same keys as marked_keys text by text,
    # in batches of any size, with the separator character inside a text, and across table resets
    from conftest import TEST

    corpus = list(train_frame["text"]) + [json.loads(line)["text"] for line in TEST.read_text().splitlines()]
    small = TokenScorer(stored._scorer.words, stored._scorer.chars, stored.coef, max_tokens=2_000)
    for scorer, size in ((stored._scorer, 256), (small, 97), (stored._scorer, 1)):
        for start in range(0, len(corpus), size):
            texts = corpus[start:start + size]
            keys, bits = _read_keys(scorer, texts)
            assert keys == [marked_keys(t) for t in texts]
            assert bits.dtype == np.uint64 and _ints(bits) == [reduce(or_, map(_length_bit, k), 0) for k in keys]
    for texts in (EDGE_TEXTS, [t for t in EDGE_TEXTS if "\x01" not in t], EDGE_TEXTS[::-1], [""], []):
        assert _read_keys(stored._scorer, texts)[0] == [marked_keys(t) for t in texts]
        assert batch_chunks(texts)[-1:] == ([_TEXT_END] if texts else [])


def test_batch_word_counts_equal_the_token_keys_of_each_text(stored, train_frame):
    # serving counts a batch's words in numpy; training counts token_keys text by text
    texts = list(train_frame["text"]) + EDGE_TEXTS + ["", "   ", "he left. ! ?", "Priya said no"]
    counts = word_counts(texts)
    assert counts.tolist() == [len(token_keys(t)) for t in texts]
    for size in (256, 1):
        got = [stored._scorer.read(texts[i:i + size]).word_counts() for i in range(0, len(texts), size)]
        np.testing.assert_array_equal(np.concatenate(got), counts)
    assert counts.min() == 0 and counts.max() > 100


def test_scorer_equals_the_training_matrix(fitted, stored, held_out):
    assert isinstance(stored._scorer, TokenScorer)
    expected = fitted.decision_function(held_out)
    np.testing.assert_allclose(stored.decision_function(held_out), expected, atol=1e-5)  # coef stored as float32


def test_scorer_sentences_equal_the_training_matrix_on_sentence_keys(fitted, stored, held_out):
    z, owners, sentence_z = stored._scorer.scores_and_sentences(held_out, 400)
    pieces = [(row, keys) for row, text in enumerate(held_out) for keys in sentence_keys(text, 400)]
    assert owners == [row for row, _ in pieces] and len(owners) > 50
    X = sparse.hstack([vec.transform([k for _, k in pieces]) for _, _, vec in fitted.vectorizers_], format="csr")
    np.testing.assert_allclose(sentence_z + fitted.intercept_, X @ fitted.coef_ + fitted.intercept_, atol=1e-5)


def test_scorer_sentence_filter_only_limits_which_texts_are_split(stored, held_out):
    _, owners, all_z = stored._scorer.scores_and_sentences(held_out, 400)
    picked = np.zeros(len(held_out), dtype=bool)
    picked[::3] = True
    _, some, some_z = stored._scorer.scores_and_sentences(held_out, 400, which=lambda z: picked)
    assert set(some) == {r for r in owners if picked[r]}
    np.testing.assert_array_equal(some_z, all_z[[picked[r] for r in owners]])


def test_scorer_sentences_of_a_batch_equal_each_text_alone(stored, held_out):
    # only the chosen texts' tokens are summed for sentences: each adds the same rows in the same order as alone
    long = [t for t in held_out if len(t) >= 400][:40]
    odd = ["", "x" * 500, "\U0001f600 " * 250, "ok. fine. " * 50, "zqv wxq. qqz vvw. " * 30]  # no tokens, no bigrams
    texts = [*long[:20], *odd, *held_out[:20], *long[20:]]
    _, owners, batch_z = stored._scorer.scores_and_sentences(texts, 400)
    alone = [stored._scorer.scores_and_sentences([t], 400)[1:] for t in texts]
    assert owners == [row for row, (found, _) in enumerate(alone) for _ in found] and owners[-1] == len(texts) - 1
    assert len(alone[len(long[:20]) + 4][0]) == 60  # unknown words: sentences scored, without any bigram
    np.testing.assert_array_equal(batch_z, np.vstack([z for _, z in alone]))


def test_scorer_without_chosen_texts_scores_no_sentences(stored, held_out):
    n_labels = stored.coef.shape[1]
    for texts, which in ((held_out[:30], lambda z: np.zeros(len(z), dtype=bool)), (["short", ""], None), ([], None)):
        z, owners, sentence_z = stored._scorer.scores_and_sentences(texts, 400, which)
        assert z.shape == (len(texts), n_labels) and owners == [] and sentence_z.shape == (0, n_labels)


def test_scorer_batch_equals_single_and_threads_agree(stored, held_out):
    batch = stored._scorer.scores(held_out)
    singles = np.vstack([stored._scorer.scores([t]) for t in held_out[:60]])
    np.testing.assert_array_equal(singles, batch[:60])
    _check_threads(stored._scorer, held_out, batch, 8)


def _check_threads(scorer, texts, expected, n):
    """``n`` threads scoring every ``n``-th text with one scorer get the expected rows."""
    out: list = [None] * n

    def work(k):
        out[k] = scorer.scores(texts[k::n])

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(n):
        np.testing.assert_array_equal(out[k], expected[k::n])


def test_scorer_table_reset_and_pickle_keep_scores(stored, held_out):
    batch = stored._scorer.scores(held_out)
    small = TokenScorer(stored._scorer.words, stored._scorer.chars, stored.coef, max_tokens=300)
    np.testing.assert_array_equal(np.vstack([small.scores(held_out[i:i + 40]) for i in range(0, len(held_out), 40)]),
                                  batch)
    assert len(small._tid) <= 300 + 40 * 400
    again = pickle.loads(pickle.dumps(stored._scorer))
    np.testing.assert_array_equal(again.scores(held_out), batch)


def _per_token_by_definition(scorer, batch, bigram_of):
    """Each token's table row plus, where it and the next token of its text are the words of a bigram (``bigram_of``:
    word ids -> bigram), that bigram's word block, added token by token: how the rows were made before pair rows."""
    n = scorer._n_labels
    out = scorer._rows.take(batch.ids, axis=0)
    wid = scorer._wid[batch.ids].tolist()
    last = set((batch.starts + batch.lengths - 1).tolist())  # a text's last token starts no bigram
    for t, pair in enumerate(zip(wid, wid[1:])):
        if pair in bigram_of and t not in last:
            out[t, :n + 1] += scorer._bigram_rows[bigram_of[pair], :n + 1]
    return out


def test_pair_rows_give_each_token_its_row_plus_its_bigrams_bit_for_bit(stored, train_frame):
    # one gather of pair rows gives the same floats, to the bit (signed zeros too), as adding each token's
    # bigram row to its row: in batches of any size, with and without the stored token table, across table
    # resets and growth; there are at most two pairs per bigram (a word's key and its name key)
    texts = list(train_frame["text"][:2000]) + EDGE_TEXTS + ["he hit me", "hit me he hit", "she said he is not"]
    small = TokenScorer(stored._scorer.words, stored._scorer.chars, stored.coef, max_tokens=500)
    for scorer, size in ((stored._scorer, 256), (small, 97), (_lazy(stored._scorer), 1)):
        bigram_of = {pair: b for b, pair in enumerate(zip(scorer._bigram_left.tolist(),
                                                            scorer._bigram_right.tolist()))}
        for start in range(0, len(texts), size):
            batch = scorer.read(texts[start:start + size])
            expected = _per_token_by_definition(scorer, batch, bigram_of)
            np.testing.assert_array_equal(batch.per_token.view(np.int64), expected.view(np.int64))
        assert 0 < scorer._n_pairs <= 2 * len(bigram_of) and len(scorer._keys) + scorer._n_pairs <= len(scorer._rows)


def _sentence_runs_by_definition(ids, starts, lengths, chosen):
    """The runs of :func:`_sentence_runs`, text by text in Python: a chosen text cut after each sentence end, its
    runs of two words or more scored when there are two or more of them; any other text one run."""
    from relsignals.features import MIN_SENTENCE_WORDS

    owners, run_starts, run_lengths = [], [], []
    for text, (start, length) in enumerate(zip(starts.tolist(), lengths.tolist())):
        if not length:
            continue
        cuts = [start] + [t + 1 for t in range(start, start + length - 1) if chosen[text] and ids[t] == 1]
        ends = [*cuts[1:], start + length]
        words = [sum(ids[t] > 1 for t in range(a, b)) for a, b in zip(cuts, ends)]
        sentence = [chosen[text] and n >= MIN_SENTENCE_WORDS for n in words]
        owners += [text if is_one and sum(sentence) >= 2 else -1 for is_one in sentence]
        run_starts += cuts
        run_lengths += [b - a for a, b in zip(cuts, ends)]
    return [owners, run_starts, run_lengths]


def test_sentence_runs_cut_the_chosen_texts_after_each_sentence_end(stored, train_frame):
    from relsignals.features import _sentence_runs

    texts = list(train_frame["text"][:1500]) + EDGE_TEXTS[:-2] + ["he left. ! ?", "a b. c d. e", "x. y z.", "", ""]
    rng = np.random.default_rng(0)
    for start in range(0, len(texts), 256):
        batch = stored._scorer.read(texts[start:start + 256])
        n = len(batch.starts)
        for chosen in (rng.random(n) < 0.6, np.ones(n, dtype=bool), np.zeros(n, dtype=bool)):
            got = [part.tolist() for part in _sentence_runs(batch.ids, batch.starts, chosen)]
            assert got == _sentence_runs_by_definition(batch.ids.tolist(), batch.starts, batch.lengths, chosen)


def test_scoring_never_imports_numpy_ma():
    # np.unique without return_index imports numpy.ma on first use (about 9 ms): serving has no need of it
    import subprocess
    import sys

    code = ("import sys; from relsignals import classify_many; "
            "classify_many(['he never hit me. But he yells', 'not ok, not at all', '']); "
            "print('numpy.ma' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_generic_block_path_scores_like_the_token_scorer(stored, held_out):
    generic = pickle.loads(pickle.dumps(stored))
    generic._scorer = None  # the per-text analyzer path every format can use
    np.testing.assert_allclose(generic.decision_function(held_out), stored.decision_function(held_out), atol=1e-9)


def test_int_map_finds_every_key_and_nothing_else():
    rng = np.random.default_rng(0)
    keys = np.unique(rng.integers(0, 10**9, 5000))
    rng.shuffle(keys)
    table = _IntMap(keys)
    queries = np.concatenate([keys, rng.integers(0, 10**9, 2000), [-2, -1]])
    position = {int(k): i for i, k in enumerate(keys)}
    expected = np.array([position.get(int(q), -1) for q in queries])
    np.testing.assert_array_equal(table.get(queries), expected)


def test_int_map_grows_by_batch_inserts_and_compares_every_key_word():
    # two-word keys added batch by batch past several resizes; keys that share a first or a last word,
    # absent keys and queries whose last word is -1 (an empty slot's mark) are never confused
    rng = np.random.default_rng(1)
    table = _IntMap(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    expected: dict[tuple[int, int], int] = {}
    for size in (1, 7, 100, 3000, 20_000, 5):
        first = rng.integers(-(2**63), 2**63 - 1, size, dtype=np.int64)
        first[: size // 3] = 42  # many keys alike but for the last word
        last = rng.integers(0, 2**20, size, dtype=np.int64)
        last[size // 3: size // 2] = 7  # and many alike but for the first
        pairs = [p for p in dict.fromkeys(zip(first.tolist(), last.tolist())) if p not in expected]
        values = rng.integers(0, 10**9, len(pairs))
        table.add([np.array([p[0] for p in pairs], dtype=np.int64), np.array([p[1] for p in pairs], dtype=np.int64)],
                  values)
        expected.update(zip(pairs, values.tolist()))
        known = list(expected)
        queries = known + [(a, b + 1) for a, b in known[:500]] + [(a + 1, b) for a, b in known[:500]] + [(42, -1)]
        got = table.get(np.array([q[0] for q in queries], dtype=np.int64), np.array([q[1] for q in queries]))
        assert got.tolist() == [expected.get(q, -1) for q in queries]
    assert len(table._table) <= 4 * 4 * len(expected)  # at most half full after a resize, a quarter before


def _folded_batches(texts, size=256):
    from relsignals.features import _batch_folded

    return [f for f in (_batch_folded(texts[i:i + size]) for i in range(0, len(texts), size)) if f is not None]


ODD_CHUNKS = [
    "", " ", "  \n\n ", "\n", "a\nb", "\na\n\nb\n", "a\r\nb", "tab\there", "\x0bv\x0cf\rr", "\x1cx\x1dy\x1ez\x1fw",
    "\x00", "a\x00b \x00", "\x01 x\x01y \x01", "\x7f\x80\x1b", "1234567 12345678 123456789 123456789012345",
    "1234567890123456 " * 3, "\u00e9\u00e9\u00e9\u00e9 \u00e9abcdefg\u00e9 abcdefg\u00e9", "x" * 5000,
    "\U0001f622\U0001f622 \U0001f622a\U0001f622", "\ud800 a\udfffb \udc00", "\u2014em\u2014dash \u3001\u3002",
    "caf\u00e9\u200bzero-width", "\u202eright-to-left\u202c", "\u0301he", "trailing space ",
]


def test_byte_chunks_equal_split_and_their_keys_are_exact(train_frame):
    # the numpy split gives str.split()'s chunks (line breaks as their own chunk), and two short chunks
    # share a key exactly when they are the same string
    from relsignals.features import _KEYED_BYTES, _UTF8, _line_breaks_marked, byte_chunks

    texts = list(train_frame["text"])
    strings = _folded_batches(texts) + ODD_CHUNKS + ["".join(ODD_CHUNKS), " ".join(ODD_CHUNKS), "\n".join(ODD_CHUNKS)]
    key_of: dict[tuple[int, int], str] = {}
    for folded in strings:
        chunks = byte_chunks(folded.encode(*_UTF8))
        assert chunks is not None
        found = chunks.texts(range(len(chunks.starts)))
        assert found == _line_breaks_marked(folded).split()
        short = (chunks.lengths <= _KEYED_BYTES).tolist()
        assert (chunks.keys[1][~np.array(short, dtype=bool)] == -1).all()
        for chunk, first, second, keyed in zip(found, *(k.tolist() for k in chunks.keys), short):
            assert keyed == (len(chunk.encode("utf-8", "surrogatepass")) <= _KEYED_BYTES)
            if keyed:
                assert key_of.setdefault((first, second), chunk) == chunk
    assert len(set(key_of.values())) == len(key_of) > 10_000


def test_byte_chunks_leave_whitespace_past_ascii_to_split():
    # str.split() whitespace is the ASCII ranges and _WIDE_SPACES, whose UTF-8 leads byte_chunks checks
    import sys

    from relsignals.features import _UTF8, _WIDE_SPACE_LEADS, _WIDE_SPACES, _is_ascii_space, byte_chunks

    ascii_bytes = np.arange(128, dtype=np.uint8)
    assert _is_ascii_space(ascii_bytes).tolist() == [chr(b).isspace() for b in range(128)]
    wide = [c for c in range(128, sys.maxunicode + 1) if chr(c).isspace()]
    assert wide == list(_WIDE_SPACES)
    low, high = _WIDE_SPACE_LEADS
    assert all(low <= chr(c).encode()[0] <= high for c in wide)
    for c in wide:
        assert byte_chunks(f"a b{chr(c)}c".encode()) is None and byte_chunks(chr(c).encode()) is None
    others = "".join(chr(c) for c in range(128, 0x4000) if not chr(c).isspace())
    chunks = byte_chunks((others + " " + others[::-1]).encode(*_UTF8))
    assert chunks is not None and chunks.texts([0, 1]) == [others, others[::-1]]


@pytest.fixture
def numpy_reads(monkeypatch):
    """Every batch, however short, read through :func:`relsignals.features.byte_chunks`."""
    monkeypatch.setattr("relsignals.features._NUMPY_MIN_CHARS", 0)


def test_numpy_reads_of_odd_texts_give_their_marked_keys(stored, numpy_reads):
    texts = EDGE_TEXTS + ODD_CHUNKS
    scorer = TokenScorer(stored._scorer.words, stored._scorer.chars, stored.coef)
    for batch in [[t] for t in texts] + [texts, texts[::-1], [t for t in texts if "\x01" not in t]]:
        assert _read_keys(scorer, batch)[0] == [marked_keys(t) for t in batch]


def test_numpy_and_split_reads_give_the_same_chunks_and_rows(stored, train_frame, monkeypatch):
    # the same chunk ids, token rows and feature rows either way, batch after batch, across resets;
    # the chunk map holds exactly the dict's short chunks and is cleared with it (memory stays bounded)
    from relsignals.features import _KEYED_BYTES, _chunk_keys

    corpus = list(train_frame["text"][:3000]) + EDGE_TEXTS + ODD_CHUNKS
    batches = [corpus[i:i + size] for size in (256, 64, 3, 1) for i in range(0, 1500 if size > 1 else 100, size)]
    batches += [EDGE_TEXTS, ODD_CHUNKS, [t for t in EDGE_TEXTS if "\x01" not in t], ["\x85 wide"] * 99]
    batches.append(corpus[2000:2300])  # last, a batch read in numpy: the chunk map is checked after it
    for max_tokens in (100_000, 2_000):
        scorers = [TokenScorer(stored._scorer.words, stored._scorer.chars, stored.coef, max_tokens=max_tokens)
                   for _ in range(2)]
        resets = 0
        for texts in batches:
            reads = []
            for scorer, threshold in zip(scorers, (0, 10**12)):
                monkeypatch.setattr("relsignals.features._NUMPY_MIN_CHARS", threshold)
                before = scorer._chunk_map
                reads.append(scorer.read(texts))
                resets += scorer is scorers[0] and scorer._chunk_map is not before and len(before._table) > 16
            for got, expected in zip(reads[0], reads[1]):
                np.testing.assert_array_equal(got, expected)
            assert scorers[0]._chunk_id == scorers[1]._chunk_id and scorers[0]._tid == scorers[1]._tid
        numpy_scorer = scorers[0]
        assert len(numpy_scorer._chunk_id) <= 2 * max_tokens + 256 * 400 and (resets > 0) == (max_tokens < 10_000)
        chunks = [c for c in numpy_scorer._chunk_id if len(c.encode("utf-8", "surrogatepass")) <= _KEYED_BYTES]
        data = "".join(chunks).encode("utf-8", "surrogatepass")
        lengths = np.array([len(c.encode("utf-8", "surrogatepass")) for c in chunks])
        keys = _chunk_keys(data, np.cumsum(lengths) - lengths, lengths)
        mapped = numpy_scorer._chunk_map.get(*keys)
        ids = np.array([numpy_scorer._chunk_id[c] for c in chunks])
        assert ((mapped == ids) | (mapped == -1)).all()  # some chunks came by split (a \x01 or \x85 in the batch)
        assert (mapped >= 0).sum() == numpy_scorer._chunk_map._size > len(chunks) // 2  # no other keys in the map


def test_scorer_without_stored_bigram_pairs_and_with_cut_vocabularies(fitted, stored, held_out, small_frame):
    words = {k: v for k, v in stored._scorer.words.items() if k != "bigram_pairs"}
    rebuilt = TokenScorer(words, stored._scorer.chars, stored.coef)
    np.testing.assert_array_equal(rebuilt.scores(held_out), stored._scorer.scores(held_out))
    # a bigram whose words are not unigrams of the vocabulary (possible with max_features)
    from relsignals.features import bigram_pairs

    vocab = {"calm": 0, "calm down": 1, "stays calm": 2}
    pairs, extra = bigram_pairs(vocab)
    assert extra == {"down": 3, "stays": 4} and pairs.tolist() == [[1, 0, 3], [2, 4, 0]]
    words = {"vocabulary": vocab, "idf": np.array([1.0, 2.0, 3.0]), "ngram_range": (1, 2)}
    chars = {"vocabulary": {}, "idf": np.zeros(0), "ngram_range": (3, 5)}
    coef = np.array([[1.0], [10.0], [100.0]])
    tiny = TokenScorer(words, chars, coef)
    # "stays calm": features calm (idf 1) and "stays calm" (idf 3): (1*1 + 3*100) / sqrt(1 + 9)
    np.testing.assert_allclose(tiny.scores(["Stays calm", "calm down now"]),
                               [[301 / np.sqrt(10)], [21 / np.sqrt(5)]])


def _lazy(scorer):
    """A copy of a scorer without the stored token table: every row worked out key by key."""
    chars = {k: v for k, v in scorer.chars.items() if not k.startswith("token_")}
    return TokenScorer(scorer.words, chars, scorer.coef, max_tokens=scorer.max_tokens)


def test_stored_token_table_rows_equal_the_lazily_computed_rows(fitted, stored, small_frame):
    # every training key is stored with its char n-gram columns; the one-pass fill gives the same floats
    from relsignals.features import token_table

    chars = stored._scorer.chars
    keys = chars["token_keys"].tobytes().decode().split("\n")
    assert keys == sorted({k for t in small_frame["text"] for k in marked_keys(t)} - {"|", "|."})
    assert chars["token_gram_ids"].dtype == np.uint16 and chars["token_gram_offsets"].dtype == np.int32
    assert len(chars["token_gram_offsets"]) == len(keys) + 1 and any(k.startswith("~") for k in keys)
    prefilled = TokenScorer(stored._scorer.words, chars, stored.coef)
    prefilled._prefill()
    lazy = _lazy(stored._scorer)
    lazy._add_missing(set(keys))
    assert len(prefilled._tid) == len(lazy._tid) == len(keys) + 2
    rows = np.array([lazy._tid[k] for k in prefilled._keys])
    np.testing.assert_array_equal(prefilled._rows[:len(rows)], lazy._rows[rows])
    one_by_one = _lazy(stored._scorer)
    for key in keys[::25]:  # a key's row does not depend on the keys added with it
        one_by_one._add_missing({key})
        np.testing.assert_array_equal(one_by_one._rows[one_by_one._tid[key]], prefilled._rows[prefilled._tid[key]])
    for name in ("_wid", "_stops", "_negators"):
        np.testing.assert_array_equal(getattr(prefilled, name), getattr(lazy, name)[rows])
    again = token_table(keys, chars["vocabulary"], (3, 5))
    for name, array in again.items():
        np.testing.assert_array_equal(array, chars[name])


def test_stored_token_table_scores_like_the_lazy_path(stored, held_out, small_frame):
    # batches big enough to prefill, after a few single texts, across resets, pickled, in threads:
    # the same scores as a model without the table (which loads and scores as before)
    texts = list(small_frame["text"][:300]) + held_out
    expected = _lazy(stored._scorer).scores(texts)
    fresh = TokenScorer(stored._scorer.words, stored._scorer.chars, stored.coef)
    short = [i for i, t in enumerate(texts) if len(set(t.split())) < TokenScorer.PREFILL_MIN_CHUNKS // 2][:5]
    np.testing.assert_array_equal(np.vstack([fresh.scores([texts[i]]) for i in short]), expected[short])
    assert len(short) == 5 and not fresh._prefilled  # a single short text does not pay for the whole table
    np.testing.assert_array_equal(fresh.scores(texts), expected)
    assert fresh._prefilled
    small = TokenScorer(stored._scorer.words, stored._scorer.chars, stored.coef, max_tokens=len(fresh._tid) // 2)
    np.testing.assert_array_equal(np.vstack([small.scores(texts[i:i + 100]) for i in range(0, len(texts), 100)]),
                                  expected)
    snug = TokenScorer(stored._scorer.words, stored._scorer.chars, stored.coef, max_tokens=len(fresh._tid) + 50)
    for _ in range(3):  # fills, resets, fills again
        np.testing.assert_array_equal(snug.scores(texts[::-1]), expected[::-1])
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(fresh)).scores(texts), expected)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(stored._scorer)).scores(texts), expected)
    _check_threads(TokenScorer(stored._scorer.words, stored._scorer.chars, stored.coef), texts, expected, 4)


def test_stored_token_table_is_optional_on_disk(fitted, stored, held_out, tmp_path):
    from relsignals.model import from_npz, to_npz

    payload = fitted.export()
    to_npz(payload, tmp_path / "with.npz")
    loaded = StoredModel(from_npz(tmp_path / "with.npz"))
    assert loaded._scorer.chars["token_gram_ids"].dtype == np.uint16
    for block in payload["blocks"]:
        for name in ("token_keys", "token_gram_offsets", "token_gram_ids"):
            block.pop(name, None)
    to_npz(payload, tmp_path / "without.npz")
    without = StoredModel(from_npz(tmp_path / "without.npz"))
    assert "token_keys" not in without._scorer.chars
    expected = stored.predict_proba(held_out)
    np.testing.assert_array_equal(loaded.predict_proba(held_out), expected)
    np.testing.assert_array_equal(without.predict_proba(held_out), expected)


def test_chunks_tokenised_together_get_the_keys_they_get_alone(train_frame):
    from relsignals.features import _LINE_BREAK_CHUNK, _SENTENCE_END, _TOKEN, _key, _many_chunk_keys, _prepared

    def alone(chunk: str) -> tuple[str, ...]:  # one chunk on its own, token by token
        if chunk == _LINE_BREAK_CHUNK:
            return (_SENTENCE_END,)
        return tuple(k for k in map(_key, _TOKEN.findall(chunk)) if k)

    chunks = list(dict.fromkeys(c for text in train_frame["text"] for c in _prepared(text).split()))
    chunks += [_LINE_BREAK_CHUNK, "a\x00b", "(hit", "...", "don't!", "bob^,", "'", "x'y'z", "\x01"]
    assert _many_chunk_keys(chunks) == [alone(c) for c in chunks]


def test_names_end_where_a_capital_first_scan_ends_them(train_frame):
    # _CAPITALISED opens with the space before the name (a faster scan): the same names end at the same places
    from relsignals.features import _CAPITALISED

    capital_first = re.compile(r"[A-Z](?<=[a-z0-9,;:)] [A-Z])[a-z]+\b(?! [A-Z])")
    odd = ["Bob", " Bob", "x Bob", "x  Bob", "x\tBob", "a Bob Ann", "a Bo B", "a Bob, Ann", "(a) Bob", "a ) Bob",
           "x Bob Ann x Cy", "x Ann's", "x ÉBob", "x Bob\nx Ann", "x A", "x Ab9", "1 Ab", ", Ab Cd Ef g Hi"]
    for text in [*train_frame["text"], *EDGE_TEXTS, *TEXTS, *odd]:
        assert [m.end() for m in _CAPITALISED.finditer(text)] == [m.end() for m in capital_first.finditer(text)]


# Names and folding at the edges the byte path must read as the regex and fold do: carets, the glue character,
# line breaks and other whitespace, letters past ASCII right after a name, punctuation, digits, Title Case,
# apostrophes and backticks, runs of letters longer than a window.
NAME_TEXTS = [
    "x Bob", "Bob left", " Bob", "  Bob ran", "x  Bob", "a^Bob", "^Bob", "x ^Ann^ y", "we met Ann^", "x\x01 Bob",
    "x Bob\x01", "x Bob\nAnn", "a\nBob", "a\r Bob", "x Bob\r", "x Bob\r\nAnn", "a\tBob", "a Bob\tCy", "a \tBob",
    "x Zo\u00e9", "x Jose\u0301", "x Bob\u2019s", "x Bob\u00a0y", "x \u00c9Bob", "\u0301 Bob", "a, Bob", "a; Bob",
    "(x) Bob", "a: Bob", "a. Bob", "a! Bob", "a - Bob", "1 Bob", "x Bob9", "x Bo9b", "x Bob_", "x Bob _",
    "in New York City", "x Bob Ann", "x Bob A", "x Bob A.", "x B", "x BOB", "x Bob-Ann", "x McDonald", "x Bob's",
    "x Bob`s", "x `Bob`", "it`s Ann", "x Ann``", "x A" + "b" * 15, "x A" + "b" * 16, "x A" + "b" * 40 + " Cy",
    "x Ab" * 300, "x Liz Zed", "", " ", "\t\n\r ", "\x00 Bob", "x Bob\x00", "Ann", "a Ann", "x Bob^s", "x Bob ^Cy",
]


def _old_folded(texts):
    """The batch's folded bytes by the old definition: each text prepared on its own, glued, in UTF-8."""
    from relsignals.features import _TEXT_GLUE, _folded

    return (_TEXT_GLUE.join(map(_folded, texts)) + _TEXT_GLUE).encode("utf-8", "surrogatepass") if texts else b""


def _assert_read_as_text_by_text(texts):
    """The byte path folds a batch and reads its chunks exactly as the texts are prepared and split one by one."""
    from relsignals.features import ByteChunks, _chunks_text_by_text, _folded_bytes, _read_chunks

    assert _folded_bytes(texts) == (None if any(_TEXT_END in t for t in texts) else _old_folded(texts))
    chunks = _read_chunks(texts)
    found = chunks.texts(range(len(chunks.starts))) if isinstance(chunks, ByteChunks) else chunks
    assert found == _chunks_text_by_text(texts)


def test_byte_folding_equals_text_by_text_folding_on_the_corpus(train_frame):
    from conftest import TEST

    corpus = list(train_frame["text"]) + [json.loads(line)["text"] for line in TEST.read_text().splitlines()]
    assert sum(not t.isascii() for t in corpus) > 100
    for size in (256, 7):
        for start in range(0, len(corpus), size):
            _assert_read_as_text_by_text(corpus[start:start + size])


def test_byte_folding_equals_text_by_text_folding_at_the_edges(stored, numpy_reads):
    texts = NAME_TEXTS + EDGE_TEXTS + ODD_CHUNKS
    glueless = [t for t in texts if _TEXT_END not in t]
    for batch in [[t] for t in texts] + [texts, texts[::-1], glueless, glueless[::-1], [], [""], ["", ""]]:
        _assert_read_as_text_by_text(batch)
    scorer = TokenScorer(stored._scorer.words, stored._scorer.chars, stored.coef)
    assert _read_keys(scorer, glueless)[0] == [marked_keys(t) for t in glueless]


def test_names_found_in_bytes_end_where_the_regex_ends_them(train_frame):
    from relsignals.features import _CAPITALISED, _name_ends

    for text in [t for t in [*train_frame["text"], *NAME_TEXTS, *EDGE_TEXTS] if t.isascii()]:
        found = _name_ends(np.frombuffer(text.encode(), dtype=np.uint8)).tolist()
        assert found == [m.end() for m in _CAPITALISED.finditer(text)]


# Texts of words and what stands between them, rich in names and their edges (repeats weight the draw): capitals,
# spaces, punctuation, digits, other whitespace, carets, backticks, and in some texts letters past ASCII, combining
# marks and a lone surrogate (such texts are prepared in Python)
_WORDS = ["Bob", "Ann", "Zed", "Liz", "A", "Ab", "ab", "a", "z9", "9", "Bob_", "Bob9", "BOb", "Bob's", "Bob`s", "^Bob",
          "Ann^", ""]
_WORDS_PAST_ASCII = ["Zo\u00e9", "\u00c9va", "Jose\u0301", "Bob\u2019s", "\u0130", "\u03a3", "\ufb01", "\uff22ob",
                     "\U0001f600", "\ud800"]
_BETWEEN = [" ", " ", " ", " ", "", ", ", "; ", ": ", ") ", ". ", "  ", "\t", "\n", "\r\n", " - ", "\x00", " `", "_"]
_BETWEEN_PAST_ASCII = ["\u00a0", "\u2028"]


def _word_texts(words, between):
    """Texts of up to 16 of ``words``, each followed by one of ``between``."""
    word = st.sampled_from(words).flatmap(lambda w: st.sampled_from(between).map(w.__add__))
    return st.lists(word, max_size=16).map("".join)


_NAME_LIKE = (_word_texts(_WORDS, _BETWEEN)
              | _word_texts(_WORDS + _WORDS_PAST_ASCII, _BETWEEN + _BETWEEN_PAST_ASCII) | st.text(max_size=20))


@settings(max_examples=300, deadline=None)
@given(st.lists(_NAME_LIKE, max_size=6))
def test_byte_folding_equals_text_by_text_folding_on_random_texts(texts):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("relsignals.features._NUMPY_MIN_CHARS", 0)
        _assert_read_as_text_by_text(texts)
