"""The plans docs/scale.md shows: what stays on one node, on either engine.

On Citus a reference table has a copy on the coordinator, so the till's product lookup is
one task run there (`Task Count: 1` on the coordinator's own port), through the shard's own
upc index; on plain PostgreSQL it is the same index scan without Citus' node.
"""

from __future__ import annotations

import pytest
from django.db import connection

from apps.catalog.models import Product
from apps.core.citus import is_citus
from tests.factories import ProductFactory
from tests.plans import plans_without

pytestmark = pytest.mark.django_db


def test_the_tills_product_lookup_runs_on_one_node_through_the_upc_index():
    ProductFactory(upc="000000000011")
    # A few rows: forbid the scans that need no index condition (a sequential scan, or a
    # plain walk of the whole primary key when the statistics an earlier test left say one
    # row), so the plan shows the index the lookup fits, as a bitmap scan.
    plans_without("seqscan", "indexscan", "indexonlyscan")
    plan = Product.objects.select_related("category").filter(upc="000000000011").explain()
    assert "catalog_product_upc" in plan
    if is_citus(connection):
        assert "Custom Scan (Citus Adaptive)" in plan
        assert "Task Count: 1" in plan
        assert f"port={connection.settings_dict['PORT']} " in plan  # the coordinator itself
    else:
        assert "Citus" not in plan
