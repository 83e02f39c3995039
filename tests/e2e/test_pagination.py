"""test_pagination.py: Marker/MaxItems pagination over 1,000 users, through the CLI's auto-pagination and boto3's paginator."""


N = 1000


def test_thousand_users(gh):
    iam = gh.client("iam")
    names = [f"user-{i:04d}" for i in range(N)]
    for n in names:
        iam.create_user(UserName=n)
    # The CLI follows Marker until IsTruncated is false.
    out = gh.aws("iam", "list-users", timeout=300)
    got = [u["UserName"] for u in out["Users"]]
    assert len(got) == N, len(got)
    assert sorted(got) == names
    assert len(set(got)) == N
    # boto3's paginator with small pages: no duplicate, nothing lost, every page full but the last.
    pages = list(iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 7}))
    sizes = [len(p["Users"]) for p in pages]
    assert sum(sizes) == N and all(s == 7 for s in sizes[:-1]) and 1 <= sizes[-1] <= 7, sizes[-3:]
    assert all(p["IsTruncated"] for p in pages[:-1]) and not pages[-1]["IsTruncated"]
    assert sorted(u["UserName"] for p in pages for u in p["Users"]) == names
    # One page of the default size (100) and the maximum (1000).
    first = iam.list_users()
    assert len(first["Users"]) == 100 and first["IsTruncated"] and first["Marker"]
    assert len(iam.list_users(MaxItems=1000)["Users"]) == N
    r = gh.query("ListUsers", {"MaxItems": "1001"})
    assert (r.status, r.code) == (400, "ValidationError"), r
    assert "maxItems" in r.message, r


def test_paginated_roles_and_policies(gh):
    import json

    from helpers import ALLOW_ALL, TRUST_EC2

    iam = gh.client("iam")
    for i in range(25):
        iam.create_role(RoleName=f"role-{i:02d}", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
        iam.create_policy(PolicyName=f"pol-{i:02d}", PolicyDocument=json.dumps(ALLOW_ALL))
    roles = [r["RoleName"] for p in iam.get_paginator("list_roles").paginate(PaginationConfig={"PageSize": 4})
             for r in p["Roles"]]
    assert sorted(roles) == [f"role-{i:02d}" for i in range(25)]
    pols = [x["PolicyName"] for p in iam.get_paginator("list_policies").paginate(
        Scope="Local", PaginationConfig={"PageSize": 3}) for x in p["Policies"]]
    assert sorted(pols) == [f"pol-{i:02d}" for i in range(25)]
    out = gh.aws("iam", "list-roles", "--page-size", "6")
    assert len(out["Roles"]) == 25
