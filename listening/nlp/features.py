"""Text → feature strings for the linear sentiment models.

Training (scripts/train_sentiment.py) and run time share this module, so a model only ever
sees features made exactly the way they were made when it was trained.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Long posts are cut: the opening carries the sentiment and the cost stays bounded.
MAX_CHARS = 1000

URL_RE = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
MENTION_RE = re.compile(r"@[\w\-.]*\w")
REPEAT_RE = re.compile(r"(.)\1{2,}")
WEIBO_EMOTICON_RE = re.compile(r"\[[^\[\]\s]{1,8}\]")
# Emoji and pictographs (a skin tone or a joiner between them is dropped).
EMOJI = "[\U0001f300-\U0001f3fa\U0001f400-\U0001faff\u2600-\u27bf\u2b50\u2764]"
EMOJI_RE = re.compile(EMOJI)
TOKEN_RE = re.compile(
    r"""
    \[[^\[\]\s]{1,8}\]                          # Weibo emoticon: [哈哈]
    | <3+                                       # heart
    | [<>]?[:;=][\-o*'^]?[)\](\[dpo/\\|*}{@3]+  # Western emoticon: :) ;-( :d =p
    | \^[_.\-]?\^                               # ^_^
    | [)(]{2,}                                  # Runet smiley: ))) (((
    | \w+(?:['’]\w+)*                           # word, with its apostrophes
    | [!?]+                                     # !!! ?!
    | [.,;:]                                    # ends a negation scope
    | """
    + EMOJI,
    re.VERBOSE,
)
HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
SCOPE_END = frozenset(".,;:!?")


@dataclass(frozen=True)
class FeatureConfig:
    """How one language's model turns text into features."""

    words: bool = True  # word unigrams and bigrams
    char_min: int = 2  # character n-grams inside words (0 = none)
    char_max: int = 5
    han_max: int = 0  # Chinese: character n-grams of 1..han_max over Han runs
    negators: frozenset[str] = frozenset()
    weibo: bool = False  # Weibo: emoticons of the poster's own part (before //@) marked


def normalize(text: str) -> str:
    """Lower-case, cut, and replace URLs and user names by placeholders."""
    text = text[:MAX_CHARS].lower()
    text = URL_RE.sub(" httpurl ", text)
    text = MENTION_RE.sub("@user", text)
    return REPEAT_RE.sub(r"\1\1", text)


def analyze(text: str, config: FeatureConfig) -> list[str]:
    """The feature strings of one text (repeated features count more)."""
    feats, words = text_features(text, config)
    for word in words:
        feats += char_ngrams(word, config)
    return feats


def text_features(text: str, config: FeatureConfig) -> tuple[list[str], list[str]]:
    """The features made from the text as a whole, and the words whose character n-grams
    are features too (kept apart so that run time can cache a word's n-grams)."""
    text = normalize(text)
    feats: list[str] = []
    if config.weibo:
        own = text.split("//@user", 1)[0]
        feats += ["own" + e for e in WEIBO_EMOTICON_RE.findall(own)]
    tokens = TOKEN_RE.findall(text)
    if config.han_max:
        for run in HAN_RE.findall(WEIBO_EMOTICON_RE.sub(" ", text)):
            for n in range(1, config.han_max + 1):
                feats += [run[i : i + n] for i in range(len(run) - n + 1)]
        tokens = [t for t in tokens if not HAN_RE.match(t)]
    words = []
    if config.char_min:
        words = [t for t in tokens if len(t) >= config.char_min and t[0].isalnum()]
    if config.negators:
        tokens = _mark_negation(tokens, config.negators)
    if config.words:
        feats += tokens
        feats += [a + " " + b for a, b in zip(tokens, tokens[1:], strict=False)]
    return feats, words


def char_ngrams(word: str, config: FeatureConfig) -> list[str]:
    """Character n-grams of a word marked at both ends: "<go", "goo", "od>", …"""
    word = "<" + word + ">"
    size = len(word)
    return [
        word[i : i + n]
        for n in range(config.char_min, min(config.char_max, size) + 1)
        for i in range(size - n + 1)
    ]


def _mark_negation(tokens: list[str], negators: frozenset[str]) -> list[str]:
    """Prefix words after a negator with neg_, up to the next punctuation mark."""
    out = []
    negated = False
    for token in tokens:
        if token[0] in SCOPE_END:
            negated = False
            out.append(token)
        elif token in negators or token.endswith("n't"):
            negated = True
            out.append(token)
        else:
            out.append("neg_" + token if negated else token)
    return out
