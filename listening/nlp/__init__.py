"""NLP of the listening engine: language detection, sentiment, brand phrase rules.

See docs/sentiment.md for what the shipped models do and how accurate they are.
"""
