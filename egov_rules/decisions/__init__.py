"""The decisions layer: verdicts worded as cited ``findings``, context findings by ``review_scope``, the
Art 44 decisions and Art 46 items (``sanctions``), and what a team set aside (``waivers``, ``baseline``).
Nothing is imported here."""
