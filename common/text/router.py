"""Unit routing (智能交办) as a pure model: which units most likely handle a suggestion.

Three signals, blended geometrically (`_blend`):
- the duty match: the suggestion against each unit's duties (三定职责) in one TF-IDF space over
  jieba's words, character pairs and characters: half the cosine with the whole text, half the
  cosine with its best sentence (a short title matches one sentence of a long remit, not all of it);
- a linear model (logistic regression) learnt from every sentence of every unit's duties, each a
  small example of its unit, from the standard example suggestions of the units that have them (the
  seed corpus, `textanalysis/data/seed_examples.csv`: what a new office knows before it has a past),
  and from the office's own final assignments (the unit that finally led
  each past suggestion, after any return or reassignment). The duty sentences give it every unit
  from the first day (cold start), so a unit with few or no past suggestions is never forgotten;
- the meaning (`semantic.py`): the suggestion's title against the seed examples and the past
  suggestions by a sentence-embedding model, each unit scored by its nearest few; it knows that
  减速带 is the traffic police's and 地灾 natural resources' without having seen those words with
  them. Absent where the model cannot load; then the first two rank as before.
How much the learnt model weighs is measured on the history itself once there is enough of it
(`_learn_weight`); before that it grows with the count from COLD_MODEL_WEIGHT (`history_weight_at`).
Everything here takes and returns plain values, so the evaluation script and the Django app share it.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from . import semantic
from .segment import search_words

_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_CLAUSE = re.compile(r"[。；;，,、\n]+")
_SENTENCE = re.compile(r"[。；;\n]+")
_FLOOR = 1e-12  # a unit the learnt model has never seen keeps a (tiny) probability in the blend
DUTY_TEMPERATURE = 0.05  # cosines differ by hundredths; this turns them into a usable distribution
# The duty match: this share from the whole duties, the rest from the unit's best-matching sentence.
# Leave-one-part-out (4 parts, 360 rows; this and the next two with the blend then averaged, not
# geometric), cold start top-1 / top-3: whole text alone 73.3% / 89.4%,
# best sentence alone 74.7% / 89.2%, half and half 76.4% / 88.9% (the part gathered last, test3,
# 56.5% -> 63.0% top-1); 0.3 and 0.75 do no better.
DUTY_WHOLE_SHARE = 0.5
# With no history the model learnt from the duty sentences alone weighs this much against the duty
# match (leave-one-part-out, cold start with the half-and-half match: 0 -> 76.4% / 88.9%,
# 0.3 -> 76.7% / 90.3%, 0.5 -> 76.9% / 91.7%, 0.7 -> 77.5% / 90.8%).
COLD_MODEL_WEIGHT = 0.5
# Each duty sentence counts as this many past suggestions of its unit in the learnt model (1 and 3
# score alike in leave-one-part-out; 0.5 loses a point top-1).
DUTY_SENTENCE_WEIGHT = 1.0
# The history's check on itself: at least this many past suggestions, a sample of at most so many
# (a retrain on a million stays cheap), in this many folds, over these candidate weights.
WEIGHT_CHECK_MIN = 30
WEIGHT_CHECK_SAMPLE = 3000
WEIGHT_CHECK_FOLDS = 3
WEIGHT_CHECK_SEED = 14
WEIGHT_GRID = (0.0, 0.15, 0.3, 0.5, 0.7, 0.85)
# Each example suggestion of the seed corpus counts as this many past suggestions of its unit in the
# learnt model: knowledge of the remit, weighed below the office's own history, which says how this
# office divides its work. See SEED_WEIGHT's figures in docs/benchmarks.md.
SEED_WEIGHT = 0.5
# A title counts this much more than its body (each first brought to unit length): the title names the
# matter, a body adds places, history and reasons whose words would otherwise outweigh it. Chosen on the
# only 19 evaluation rows with a body (thin): against the concatenated text, top-1 68% -> 79% cold start,
# 74% -> 84% trained, top-3 unchanged (100%); 1.5 and 2 lose one top-3 row trained, 3 loses two.
TITLE_WEIGHT = 1.25
# The meaning signal: each unit scores the mean cosine of its SEMANTIC_K nearest examples (seed titles
# and past suggestions, by title), turned into a distribution at SEMANTIC_TEMPERATURE and blended
# geometrically at SEMANTIC_WEIGHT with the other two. Chosen by leave-one-part-out over the studied
# parts of the evaluation (870 rows, never test5 or test6), top-1 / top-3: cold start 68.2 / 88.2 ->
# 71.7 / 90.1, trained 70.9 / 88.7 -> 74.0 / 90.5; k 1 to 5, temperatures 0.005 to 0.02 and weights
# 0.4 to 0.6 all land within a point of it (docs/benchmarks.md). The duty sentences add nothing here.
SEMANTIC_WEIGHT = 0.5
SEMANTIC_K = 3
SEMANTIC_TEMPERATURE = 0.01

# The customary frame of a suggestion (or of a CPPCC proposal, or a motion turned suggestion) says
# nothing about its subject.
_FRAME = re.compile(r"^关于|的?(建议案?|提案|意见)$")


def features(text: str) -> list[str]:
    """jieba's search-mode words plus the single characters and character pairs of every Chinese
    run: the pairs catch a duty word inside a longer compound the segmenter kept whole (排涝 in
    排涝站), the characters a word written differently (河堤 against 堤防). Measured on the
    evaluation set, the characters add about 8 points of top-3 accuracy."""
    text = _FRAME.sub("", text or "")
    out = search_words(text)
    for run in _HAN_RUN.findall(text):
        out.extend("#" + run[i : i + 2] for i in range(len(run) - 1))
        out.extend("$" + ch for ch in run)
    return out


def duty_clauses(duties: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(duties or "") if len(c.strip()) >= 2]


def duty_sentences(duties: str) -> list[str]:
    """The duties cut at full stops and semicolons: each sentence one matter of the remit."""
    return [c.strip() for c in _SENTENCE.split(duties or "") if len(c.strip()) >= 2]


@dataclass
class Candidate:
    unit: str
    score: float
    duty_score: float
    model_score: float
    semantic_score: float = 0.0  # the mean cosine of the unit's nearest examples by meaning
    duty_phrases: list[str] = field(default_factory=list)
    history: list[int] = field(default_factory=list)  # indexes into the training examples


@dataclass
class Router:
    """Fit with `fit(units, texts, labels)`; ask with `rank(text)`. Picklable (joblib)."""

    history_weight_at: int = 200  # examples at which the learnt model weighs as much as the duties
    # The weight the office's own history earned in a check on itself (see `_learn_weight`); None
    # until there is enough history, and then the rule above applies.
    learnt_weight: float | None = None
    codes: list[str] = field(default_factory=list)
    duties: dict[str, str] = field(default_factory=dict)
    vectorizer: TfidfVectorizer | None = None
    duty_matrix: object = None
    sentence_matrix: object = None  # every unit's duty sentences, unit by unit in `codes` order
    sentence_units: list[int] = field(default_factory=list)  # each sentence's unit (index into `codes`)
    seed_matrix: object = None  # the seed corpus's examples, labelled by `seed_labels`
    seed_labels: list[str] = field(default_factory=list)
    model: LogisticRegression | None = None
    model_classes: list[str] = field(default_factory=list)
    history_matrix: object = None
    history_labels: list[str] = field(default_factory=list)
    history_ids: list[int] = field(default_factory=list)
    trained_on: int = 0
    # The meaning signal's examples (seed titles, then past suggestions' titles), unit vectors in
    # float16, each labelled with its unit (index into `codes`); None without the model or examples.
    use_semantic: bool = True
    semantic_matrix: np.ndarray | None = None
    semantic_labels: np.ndarray | None = None
    semantic_keys: list[str] = field(default_factory=list)  # each row's text (`semantic.key`), for reuse
    semantic_model: str = ""  # the model that made them (`semantic.MODEL_NAME`)

    def fit(
        self,
        units: dict[str, str],
        texts: list[str] | None = None,
        labels: list[str] | None = None,
        ids: list[int] | None = None,
        *,
        examples: dict[str, list[str]] | None = None,
        vectors: dict[str, np.ndarray] | None = None,
    ) -> Router:
        """`units` maps a unit code to its duties; `texts`/`labels` are past suggestions and the
        unit that finally led each (codes outside `units` are ignored); `examples` maps a unit code
        to standard example suggestions of its remit (the seed corpus), learnt from like history at
        SEED_WEIGHT but never shown as evidence and never counted as the office's past; `vectors` holds
        sentence vectors computed ahead of time by `semantic.key` (the seed corpus's file)."""
        texts, labels = list(texts or []), list(labels or [])
        keep = [i for i, label in enumerate(labels) if label in units]
        texts, labels = [texts[i] for i in keep], [labels[i] for i in keep]
        ids = [ids[i] for i in keep] if ids is not None else list(range(len(texts)))
        self.codes = sorted(units)
        self.duties = dict(units)
        self.vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=1)
        # An example is a title: one line (a line break would make the rest a body in `_vectors`).
        seeds = [(code, " ".join(text.split())) for code in self.codes for text in (examples or {}).get(code, ())]
        # One pass of the segmenter over the duties and the examples: their rows of the fitted matrix
        # are their vectors (`_vectors` of a one-line text gives the same row).
        fitted = self.vectorizer.fit_transform([units[c] for c in self.codes] + [text for _, text in seeds] + texts)
        self.duty_matrix = fitted[: len(self.codes)]
        sentences = [(i, sentence) for i, c in enumerate(self.codes) for sentence in duty_sentences(units[c])]
        self.sentence_units = [i for i, _ in sentences]
        self.sentence_matrix = self.vectorizer.transform([sentence for _, sentence in sentences])
        self.seed_labels = [code for code, _ in seeds]
        self.seed_matrix = fitted[len(self.codes) : len(self.codes) + len(seeds)] if seeds else None
        self.trained_on = len(texts)
        self.history_labels, self.history_ids = labels, ids
        self.history_matrix = self._vectors(texts) if texts else None
        self.model, self.model_classes, self.learnt_weight = None, [], None
        self.model = self._train(self.history_matrix, labels)
        if self.model is not None:
            self.model_classes = [str(c) for c in self.model.classes_]
            if len(labels) >= WEIGHT_CHECK_MIN and len(set(labels)) >= 2:
                self.learnt_weight = self._learn_weight(labels)
        self._fit_semantic([text for _, text in seeds] + texts, self.seed_labels + labels, vectors)
        return self

    def _fit_semantic(self, texts: list[str], labels: list[str], vectors: dict[str, np.ndarray] | None) -> None:
        """The meaning signal's examples: every seed and past suggestion by its title (the first line)."""
        self.semantic_matrix, self.semantic_labels, self.semantic_keys, self.semantic_model = None, None, [], ""
        self.__dict__.pop("_semantic_cache", None)
        if not (self.use_semantic and texts and semantic.available()):
            return
        index = {c: i for i, c in enumerate(self.codes)}
        self.semantic_keys = [semantic.key(text.partition("\n")[0]) for text in texts]
        self.semantic_model = semantic.MODEL_NAME
        matrix = semantic.embed(self.semantic_keys, known=vectors)
        self.semantic_matrix = matrix.astype(np.float16)
        self.semantic_labels = np.array([index[label] for label in labels], dtype=np.int32)

    def semantic_vectors(self) -> dict[str, np.ndarray]:
        """The vectors this router computed, by text: the next fit reuses them (`fit(vectors=...)`), so a
        nightly retrain embeds only the suggestions that are new since (embedding is most of its cost)."""
        if self.semantic_model != semantic.MODEL_NAME or self.semantic_matrix is None:
            return {}
        return dict(zip(self.semantic_keys, self.semantic_matrix, strict=True))

    def __setstate__(self, state: dict) -> None:
        """A router stored before the duty sentences existed (`RouterModel`) still ranks, on the
        whole duties and its own learnt model, until the next retrain."""
        state.setdefault("sentence_matrix", None)
        state.setdefault("sentence_units", [])
        state.setdefault("seed_matrix", None)
        state.setdefault("seed_labels", [])
        state.setdefault("use_semantic", True)
        state.setdefault("semantic_matrix", None)
        state.setdefault("semantic_labels", None)
        state.setdefault("semantic_keys", [])
        state.setdefault("semantic_model", "")
        self.__dict__.update(state)
        self.__dict__.pop("_semantic_cache", None)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_semantic_cache", None)  # the float32 copy `_semantic_scores` makes
        return state

    def _semantic_scores(self, title: str) -> np.ndarray | None:
        """Each unit's mean cosine with its SEMANTIC_K examples nearest the title by meaning; a unit with
        no example gets the median of the others (it is neither near nor far). None without the signal."""
        if self.semantic_matrix is None or self.semantic_labels is None or not semantic.available():
            return None
        if not semantic.key(title):
            return None
        cached = self.__dict__.get("_semantic_cache")
        if cached is None:
            order = np.argsort(self.semantic_labels, kind="stable")
            labels = self.semantic_labels[order]
            units, starts = np.unique(labels, return_index=True)
            cached = (self.semantic_matrix[order].astype(np.float32), units, np.append(starts, len(labels)))
            self.__dict__["_semantic_cache"] = cached
        matrix, units, bounds = cached
        if len(units) < 2:
            return None
        sims = matrix @ semantic.embed([title])[0]
        scores = np.empty(len(units))
        for j in range(len(units)):
            group = sims[bounds[j] : bounds[j + 1]]
            k = min(SEMANTIC_K, len(group))
            scores[j] = np.partition(group, len(group) - k)[-k:].mean()
        out = np.full(len(self.codes), float(np.median(scores)))
        out[units] = scores
        return out

    def _train(self, matrix, labels: list[str]) -> LogisticRegression | None:
        """The learnt model over the duty sentences (each DUTY_SENTENCE_WEIGHT of a suggestion), the
        seed corpus (each SEED_WEIGHT) and the given past suggestions; None when they name fewer
        than two units."""
        rows = [self.sentence_matrix]
        targets = [self.codes[i] for i in self.sentence_units]
        weights = [DUTY_SENTENCE_WEIGHT] * len(self.sentence_units)
        if self.seed_labels:
            rows.append(self.seed_matrix)
            targets += self.seed_labels
            weights += [SEED_WEIGHT] * len(self.seed_labels)
        targets += list(labels)
        weights += [1.0] * len(labels)
        if labels:
            rows.append(matrix)
        if len(set(targets)) < 2:
            return None
        model = LogisticRegression(C=10.0, max_iter=2000)
        model.fit(sparse.vstack(rows).tocsr(), targets, sample_weight=np.array(weights))
        return model

    def _duty_scores(self, vectors) -> np.ndarray:
        """Each row's duty match with every unit (rows of `vectors` and the unit vectors are at unit
        length, so every term is a cosine): DUTY_WHOLE_SHARE of the whole text's, the rest of the
        unit's best sentence's."""
        whole = (vectors @ self.duty_matrix.T).toarray()
        best = np.zeros_like(whole)
        if self.sentence_units:
            cosines = (vectors @ self.sentence_matrix.T).toarray()
            units, starts = np.unique(np.asarray(self.sentence_units), return_index=True)
            best[:, units] = np.maximum.reduceat(cosines, starts, axis=1)
        return DUTY_WHOLE_SHARE * whole + (1 - DUTY_WHOLE_SHARE) * best

    def _vectors(self, texts: list[str]):
        """Each text's vector: the title (the first line) and the body (the rest) apart, the title
        weighing TITLE_WEIGHT times the body, at unit length. A text without a line break is all title."""
        assert self.vectorizer is not None
        parts = [text.partition("\n") for text in texts]
        matrix = self.vectorizer.transform([title for title, _, _ in parts])
        bodies = [body for _, _, body in parts]
        if any(body.strip() for body in bodies):  # a row without a body keeps its title's vector
            matrix = normalize(TITLE_WEIGHT * matrix + self.vectorizer.transform(bodies))
        return matrix

    def _history_weight(self) -> float:
        """The learnt model's weight against the duty match: COLD_MODEL_WEIGHT with no history,
        the weight the history earned once there is enough of it, and in between growing with the
        count (half way to one at `history_weight_at` examples)."""
        if self.model is None and not self.trained_on:
            return 0.0
        if self.learnt_weight is not None:
            return self.learnt_weight
        share = self.trained_on / (self.trained_on + self.history_weight_at)
        return COLD_MODEL_WEIGHT + (1 - COLD_MODEL_WEIGHT) * share

    def _scores(self, vectors, model) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(duty match, duty distribution, learnt distribution) of each row over `codes`."""
        duty = self._duty_scores(vectors)
        duty_p = _softmax(duty, temperature=DUTY_TEMPERATURE)
        model_p = np.zeros_like(duty_p)
        if model is not None:
            index = {c: i for i, c in enumerate(self.codes)}
            model_p[:, [index[str(c)] for c in model.classes_]] = model.predict_proba(vectors)
        return duty, duty_p, model_p

    def _learn_weight(self, labels: list[str]) -> float:
        """How much the learnt model should weigh against the duties, measured on the history
        itself: k folds of (a sample of) the past suggestions, each ranked by a model that did not
        see it (but saw every duty sentence), scored top-1 plus half a top-3 for every candidate
        weight; the best weight wins, the smaller on a tie. History from one office with one set of
        deputies and places earns a high weight; a thin or scattered history (the evaluation's
        titles from dozens of counties) a low one, where a fixed rule by count let frequent units
        crowd out the duty match.
        The vocabulary is the full fit's: a fold's words leak into its document frequencies, which
        moves a weight far less than it moves a score."""
        order = list(range(len(labels)))
        random.Random(WEIGHT_CHECK_SEED).shuffle(order)
        order = order[:WEIGHT_CHECK_SAMPLE]
        index = {c: i for i, c in enumerate(self.codes)}
        gains = dict.fromkeys(WEIGHT_GRID, 0.0)
        for fold in range(WEIGHT_CHECK_FOLDS):
            held = order[fold::WEIGHT_CHECK_FOLDS]
            kept = sorted(set(order) - set(held))
            model = self._train(self.history_matrix[kept], [labels[i] for i in kept])
            _, duty_p, model_p = self._scores(self.history_matrix[held], model)
            gold = np.array([index[labels[i]] for i in held])
            for weight in WEIGHT_GRID:
                top = np.argsort(-_blend(duty_p, model_p, weight), axis=1, kind="stable")[:, :3]
                gains[weight] += float((top[:, 0] == gold).sum()) + 0.5 * float(
                    (top == gold[:, None]).any(axis=1).sum()
                )
        return max(WEIGHT_GRID, key=lambda w: (gains[w], -w))

    def rank(self, text: str, *, history: int = 3) -> list[Candidate]:
        """Every unit with its blended score, best first; the top ones carry their evidence."""
        assert self.vectorizer is not None, "fit the router first"
        vector = self._vectors([text])
        duty, duty_p, model_p = (a[0] for a in self._scores(vector, self.model))
        if self.model is None and self.history_labels:  # one unit, and it has handled everything so far
            model_p[self.codes.index(self.history_labels[0])] = 1.0
        blended = _blend(duty_p[None, :], model_p[None, :], self._history_weight())[0]
        meaning = self._semantic_scores(text.partition("\n")[0])
        if meaning is not None:
            semantic_p = _softmax(meaning, temperature=SEMANTIC_TEMPERATURE)
            blended = _blend(blended[None, :], semantic_p[None, :], SEMANTIC_WEIGHT)[0]
        order = np.argsort(-blended, kind="stable")
        nearest = self._nearest(vector, history * 4)
        # The text's words once for the six units' evidence (segmenting is the costly part).
        words = {w for w in features(text) if not w.startswith("#") and len(w) >= 2}
        out = []
        for rank, i in enumerate(order):
            code = self.codes[i]
            candidate = Candidate(code, float(blended[i]), float(duty[i]), float(model_p[i]))
            if meaning is not None:
                candidate.semantic_score = float(meaning[i])
            if rank < 6:
                candidate.duty_phrases = self._duty_phrases(code, text, words=words)
                candidate.history = [j for j in nearest if self.history_labels[j] == code][:history]
            out.append(candidate)
        return out

    def _nearest(self, vector, k: int) -> list[int]:
        if self.history_matrix is None or k <= 0:
            return []
        sims = (self.history_matrix @ vector.T).toarray().ravel()
        top = np.argsort(-sims)[:k]
        return [int(j) for j in top if sims[j] > 0.15]

    def _duty_phrases(self, code: str, text: str, limit: int = 2, *, words: set[str] | None = None) -> list[str]:
        """The clauses of the unit's duties that share the most words with the suggestion."""
        if words is None:
            words = {w for w in features(text) if not w.startswith("#") and len(w) >= 2}
        scored = []
        for clause in duty_clauses(self.duties.get(code, "")):
            hits = [w for w in words if w in clause]
            if hits:
                scored.append((sum(len(w) for w in hits), clause))
        scored.sort(key=lambda pair: -pair[0])
        return [clause for _, clause in scored[:limit]]


def _softmax(values: np.ndarray, temperature: float) -> np.ndarray:
    """Row by row (the last axis)."""
    if values.size == 0:
        return values
    exp = np.exp((values - values.max(axis=-1, keepdims=True)) / temperature)
    return exp / exp.sum(axis=-1, keepdims=True)


def _blend(duty_p: np.ndarray, model_p: np.ndarray, weight: float) -> np.ndarray:
    """The two distributions (rows over the units) mixed geometrically, `weight` of the learnt one:
    each unit's duty probability to the power 1 - weight times its learnt probability to the power
    weight, normalised. A unit must do well on both signals, where an average let one alone carry it.
    Leave-one-part-out over five parts (the four evaluation parts and 204 extra training rows), top-1 /
    top-3, cold start 69.5% / 86.7% averaged, 70.0% / 86.7% geometric; trained 72.0% / 88.1%
    averaged, 73.9% / 87.8% geometric (on the extra rows alone, never used to choose anything before,
    58.8% / 80.9% -> 61.8% / 79.9%)."""
    logs = (1 - weight) * np.log(duty_p + _FLOOR) + weight * np.log(model_p + _FLOOR)
    return _softmax(logs, temperature=1.0)


def similarity(a: str, b: str) -> float:
    """Cosine of two texts' word counts (no corpus needed): for short comparisons."""
    vectorizer = TfidfVectorizer(analyzer=features, use_idf=False)
    try:
        matrix = normalize(vectorizer.fit_transform([a, b]))
    except ValueError:  # no words at all
        return 0.0
    return float((matrix[0] @ matrix[1].T).toarray()[0, 0])
