"""The README's demo-account table is hand-written: it must not drift from the demo data."""

from django.conf import settings

from motcua.org.demo import DEMO_PASSWORD
from motcua.org.demo.accounts import CITIZENS, STAFF


def test_the_readme_lists_every_demo_account_and_the_password():
    readme = (settings.BASE_DIR / "README.md").read_text("utf-8")
    for spec in [*STAFF, *CITIZENS]:
        assert f"`{spec['username']}`" in readme, spec["username"]
        assert spec["name"] in readme, spec["name"]
    assert DEMO_PASSWORD in readme
