from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClusterConfig(AppConfig):
    """The layout of every app's tables on a Citus cluster (docs/scale.md).

    It holds only migrations, which run after every other app's and do nothing on plain
    PostgreSQL, and the layout they follow (`layout.py`), which a test holds every table to.
    """

    name = "apps.cluster"
    verbose_name = _("Cluster")
