# English pages keep the Vietnamese administrative formats (dd/mm/yyyy, 24-hour): one rule for every user.
from motcua.formats.vi.formats import *  # noqa: F403
