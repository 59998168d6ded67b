"""Small common-word lists (folded) for the lint and the prefilter's cost model.

Not a full stopword list: the words that, on their own, would pull in a large share of all
posts in English, Russian, Chinese and Japanese.
"""

from __future__ import annotations

from listening.querylang.text import fold

COMMON_EN = frozenset(
    """
    a about after again all also am an and any are as at be because been before being but by
    can could did do does doing done don down each even every few for from get gets go going
    good got great had has have having he her here him his how i if in into is it its just
    know let like lol love made make many me more most much my new no not now of off oh ok okay
    on one only or other our out over people really right say see she should so some still such
    than thank thanks that the their them then there these they thing think this those time to
    too today u up us use very want was way we well were what when where which who why will
    with would yeah yes you your
    """.split()
)

COMMON_RU = frozenset(
    """
    а без бы был была были было быть в вам вас во вот все всё всего вы где да даже для до его
    ее её если есть еще ещё же за и из или им их к как когда кто ли мне мы на над не него нет
    ни но ну о об однако он она они оно от очень по под после при с со так также там то тоже
    только ты у уже хорошо что чтобы это этот эта эти я
    """.split()
)

COMMON_ZH = frozenset(
    """
    的 了 是 我 你 他 她 它 们 我们 你们 他们 在 有 不 这 那 个 一 也 和 就 都 要 会 说 很 好
    吗 呢 吧 啊 没 没有 还 去 来 上 下 中 大 小 人 到 看 能 可以 什么 这个 那个 因为 所以
    """.split()
)

COMMON_JA = frozenset(
    """
    の に は を た が で て と し れ さ ある いる する です ます こと これ それ あの この その
    """.split()
)

COMMON_WORDS = frozenset(fold(w) for w in COMMON_EN | COMMON_RU | COMMON_ZH | COMMON_JA)


def is_common_word(folded: str) -> bool:
    """True for a (folded) word that alone would match a large share of all posts."""
    return folded in COMMON_WORDS
