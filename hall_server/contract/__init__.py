"""THE typed API: every request, response and event model of the hall, by area.

``from hall_server.contract import X`` is all a client needs; nothing here imports the
database or the web framework (an import-linter contract keeps it so).
"""
from .core import *  # noqa: F401,F403
from .cases import *  # noqa: F401,F403
from .accountability import *  # noqa: F401,F403
from .fees import *  # noqa: F401,F403
from .supervision import *  # noqa: F401,F403
from .audit import *  # noqa: F401,F403
from .core import API_PREFIX  # noqa: F401
from .phone import *  # noqa: F401,F403
from .admin import *  # noqa: F401,F403,E402
