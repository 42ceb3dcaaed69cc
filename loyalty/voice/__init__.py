"""The voice of the client (B1): requirements, listening activities, complaints and the cost of listening.

Part of the ``loyalty`` blueprint (the census's clients are who speaks); the survey engine lives in
``surveys/``. ``models`` holds the records, ``services`` the rules and the SQL counting, ``costs`` the
"is listening worth it?" arithmetic, ``hooks`` what ``improvements/`` reads from here.
"""
