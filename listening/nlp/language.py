"""Language detection: an ISO 639-1 code for every mention, or "und" when unsure.

Scripts that name their language (Han, kana, Hangul, Cyrillic) are decided here from
Unicode ranges, which costs a few microseconds; everything else goes to CLD2 (``pycld2``,
compiled, about ten microseconds a tweet).
"""

from __future__ import annotations

import re

import pycld2

UNDETERMINED = "und"

# Enough text to decide on; a 100 KB post costs no more than a long tweet.
MAX_CHARS = 2000
# Fewer letters than this ("ok") are too few for CLD2; Han, kana, Hangul and Cyrillic
# decide from two ("东京", "да"); with fewer (emoji only, "?!") there is no language.
MIN_LETTERS = 3

# URLs, @names (and so e-mail domains), #tags and Weibo emoticons ([哈哈]) say nothing of the
# language and can outweigh a short post's words; CLD2 would stop at a NUL.
NOISE_RE = re.compile(
    r"https?://\S+|www\.\S+|[@#][\w\-.]*\w|\[[^\[\]\s]{1,8}\]|[\x00-\x1f\x7f]",
    re.IGNORECASE | re.ASCII,
)
HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
KANA_RE = re.compile(r"[\u3041-\u309f\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
HANGUL_RE = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
LETTER_RE = re.compile(r"[^\W\d_]")
LATIN_WORD_RE = re.compile(rf"[a-z]{{{MIN_LETTERS}}}", re.IGNORECASE)

# Letters of other Cyrillic alphabets that Russian lacks, and letters that Ukrainian,
# Bulgarian, Serbian and Macedonian lack.
NOT_RUSSIAN_RE = re.compile(r"[іїєґўђјљњћџѓќѕәғқңөұүһ]")
RUSSIAN_RE = re.compile(r"[ыэё]")

# CLD2's own codes that are not ISO 639-1.
CLD2_CODES = {"iw": "he", "jw": "jv", "zh-Hant": "zh", "nb": "no", "nn": "no"}


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language ("en", "zh", "ru", …) or "und"."""
    text = NOISE_RE.sub(" ", text[:MAX_CHARS])
    if text.isascii():  # most posts: skip the script count
        return _cld2(text) if LATIN_WORD_RE.search(text) else UNDETERMINED
    letters = len(LETTER_RE.findall(text))
    if letters < 2:
        return UNDETERMINED
    cjk = len(HAN_RE.findall(text))
    kana = len(KANA_RE.findall(text))
    hangul = len(HANGUL_RE.findall(text))
    # A CJK character carries about as much as a short word of letters.
    if 4 * (cjk + kana + hangul) >= letters:
        if hangul > cjk + kana:
            return "ko"
        if kana >= 0.15 * (cjk + kana):
            return "ja"
        if cjk:
            return "zh"
    if 2 * len(CYRILLIC_RE.findall(text)) >= letters:
        lowered = text.lower()
        # Bulgarian has no letter of its own but writes ъ where Russian hardly ever does.
        if not NOT_RUSSIAN_RE.search(lowered) and (
            RUSSIAN_RE.search(lowered) or "ъ" not in lowered
        ):
            return "ru"
    if letters < MIN_LETTERS:
        return UNDETERMINED
    return _cld2(text)


def detect_languages(texts: list[str]) -> list[str]:
    """detect_language() for each text."""
    return [detect_language(text) for text in texts]


def _cld2(text: str) -> str:
    try:
        _reliable, _size, details = pycld2.detect(text, isPlainText=True, bestEffort=True)
    except UnicodeEncodeError:  # a lone surrogate: UTF-8 has no place for it
        return _cld2(text.encode("utf-8", "replace").decode("utf-8"))
    except pycld2.error:
        return UNDETERMINED
    code = details[0][1]
    code = CLD2_CODES.get(code, code)
    return code if len(code) == 2 and code != "un" else UNDETERMINED
