"""The guided interview (library, no web): ``Interview(checker, base, answers).next_questions()``."""

from .core import ADD, DONE, UNKNOWN, AnswerError, Interview, Question
from .draft import NEW_PREFIX, complete, to_yaml

__all__ = ["ADD", "DONE", "NEW_PREFIX", "UNKNOWN", "AnswerError", "Interview", "Question", "complete", "to_yaml"]
