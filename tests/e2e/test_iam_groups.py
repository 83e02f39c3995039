"""test_iam_groups.py: groups, policy versions, instance profiles and permissions boundaries through /usr/bin/aws and boto3, with AWS's quotas and error messages, and the Terraform-style role + policy + instance profile flow."""
import json
import re

from conftest import cli_error
from helpers import ALLOW_S3_READ, TRUST_EC2, expect_error

DENY_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}
IAM_READ = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


def user_client(gh, iam, name):
    """A boto3 IAM client signed with a new access key of user `name`."""
    k = iam.create_access_key(UserName=name)["AccessKey"]
    return gh.client("iam", access_key=k["AccessKeyId"], secret=k["SecretAccessKey"])


def test_group_lifecycle_cli(gh):
    g = gh.aws("iam", "create-group", "--group-name", "Admins", "--path", "/castle/")["Group"]
    assert g["Arn"] == f"arn:aws:iam::{gh.account_id}:group/castle/Admins"
    assert re.fullmatch(r"AGPA[A-Z2-7]{17}", g["GroupId"])
    cp = gh.aws("iam", "create-group", "--group-name", "admins", check=False)
    assert cli_error(cp) == ("EntityAlreadyExists", "Group with name admins already exists.")
    gh.aws("iam", "create-user", "--user-name", "alice")
    gh.aws("iam", "create-user", "--user-name", "bob")
    gh.aws("iam", "add-user-to-group", "--group-name", "Admins", "--user-name", "alice")
    gh.aws("iam", "add-user-to-group", "--group-name", "Admins", "--user-name", "bob")
    got = gh.aws("iam", "get-group", "--group-name", "admins")
    assert got["Group"]["GroupName"] == "Admins"
    assert [u["UserName"] for u in got["Users"]] == ["alice", "bob"]
    assert [x["GroupName"] for x in gh.aws("iam", "list-groups")["Groups"]] == ["Admins"]
    assert [x["GroupName"] for x in gh.aws("iam", "list-groups-for-user", "--user-name", "bob")["Groups"]] == [
        "Admins"]
    gh.aws("iam", "attach-group-policy", "--group-name", "Admins", "--policy-arn", IAM_READ)
    att = gh.aws("iam", "list-attached-group-policies", "--group-name", "Admins")["AttachedPolicies"]
    assert att == [{"PolicyName": "IAMReadOnlyAccess", "PolicyArn": IAM_READ}]
    gh.aws("iam", "put-group-policy", "--group-name", "Admins", "--policy-name", "s3read",
           "--policy-document", json.dumps(ALLOW_S3_READ))
    gp = gh.aws("iam", "get-group-policy", "--group-name", "Admins", "--policy-name", "s3read")
    assert gp["GroupName"] == "Admins" and gp["PolicyDocument"] == ALLOW_S3_READ
    assert gh.aws("iam", "list-group-policies", "--group-name", "Admins")["PolicyNames"] == ["s3read"]

    cp = gh.aws("iam", "delete-group", "--group-name", "Admins", check=False)
    assert cli_error(cp) == ("DeleteConflict", "Cannot delete entity, must remove users from group first.")
    for u in ("alice", "bob"):
        gh.aws("iam", "remove-user-from-group", "--group-name", "Admins", "--user-name", u)
    cp = gh.aws("iam", "delete-group", "--group-name", "Admins", check=False)
    assert cli_error(cp) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.")
    gh.aws("iam", "detach-group-policy", "--group-name", "Admins", "--policy-arn", IAM_READ)
    cp = gh.aws("iam", "delete-group", "--group-name", "Admins", check=False)
    assert cli_error(cp) == ("DeleteConflict", "Cannot delete entity, must delete policies first.")
    gh.aws("iam", "delete-group-policy", "--group-name", "Admins", "--policy-name", "s3read")
    gh.aws("iam", "update-group", "--group-name", "Admins", "--new-group-name", "Keepers", "--new-path", "/k/")
    assert gh.aws("iam", "get-group", "--group-name", "Keepers")["Group"]["Path"] == "/k/"
    gh.aws("iam", "delete-group", "--group-name", "Keepers")
    cp = gh.aws("iam", "get-group", "--group-name", "Keepers", check=False)
    assert cli_error(cp) == ("NoSuchEntity", "The group with name Keepers cannot be found.")


def test_group_quotas_and_pagination(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="busy")
    for i in range(11):
        iam.create_group(GroupName=f"g{i:02d}")
    for i in range(10):
        iam.add_user_to_group(GroupName=f"g{i:02d}", UserName="busy")
    expect_error(lambda: iam.add_user_to_group(GroupName="g10", UserName="busy"), "LimitExceeded",
                 "Cannot exceed quota for GroupsPerUser: 10", 409)
    pages = list(iam.get_paginator("list_groups_for_user").paginate(UserName="busy",
                                                                      PaginationConfig={"PageSize": 3}))
    assert len(pages) == 4
    assert [g["GroupName"] for p in pages for g in p["Groups"]] == [f"g{i:02d}" for i in range(10)]
    names = [g["GroupName"] for p in iam.get_paginator("list_groups").paginate(PaginationConfig={"PageSize": 4})
             for g in p["Groups"]]
    assert names == [f"g{i:02d}" for i in range(11)]
    for i in range(3):
        iam.create_user(UserName=f"m{i}")
        iam.add_user_to_group(GroupName="g10", UserName=f"m{i}")
    members = [u["UserName"] for p in iam.get_paginator("get_group").paginate(
        GroupName="g10", PaginationConfig={"PageSize": 2}) for u in p["Users"]]
    assert members == ["m0", "m1", "m2"]
    big = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/" + "x" * 5100]}]}
    expect_error(lambda: iam.put_group_policy(GroupName="g00", PolicyName="big", PolicyDocument=json.dumps(big)),
                 "LimitExceeded", "Maximum policy size of 5120 bytes exceeded for group g00", 409)


def test_group_policies_decide_member_requests(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="member")
    uc = user_client(gh, iam, "member")
    expect_error(lambda: uc.list_users(), "AccessDenied", status=403, message_contains="iam:ListUsers")
    iam.create_group(GroupName="readers")
    iam.attach_group_policy(GroupName="readers", PolicyArn=IAM_READ)
    iam.add_user_to_group(GroupName="readers", UserName="member")
    assert "member" in [u["UserName"] for u in uc.list_users()["Users"]]
    # An explicit deny in a group's inline policy wins over the managed allow.
    iam.put_group_policy(GroupName="readers", PolicyName="deny", PolicyDocument=json.dumps(DENY_ALL))
    expect_error(lambda: uc.list_users(), "AccessDenied",
                 f"User: arn:aws:iam::{gh.account_id}:user/member is not authorized to perform: iam:ListUsers "
                 f"on resource: arn:aws:iam::{gh.account_id}:user/ with an explicit deny in an identity-based "
                 "policy", status=403)
    iam.delete_group_policy(GroupName="readers", PolicyName="deny")
    iam.remove_user_from_group(GroupName="readers", UserName="member")
    expect_error(lambda: uc.list_users(), "AccessDenied", status=403)


def test_policy_versions(gh):
    iam = gh.client("iam")
    arn = iam.create_policy(PolicyName="versioned", PolicyDocument=json.dumps(ALLOW_S3_READ))["Policy"]["Arn"]
    v2 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    out = gh.aws("iam", "create-policy-version", "--policy-arn", arn, "--policy-document", json.dumps(v2),
                 "--set-as-default")["PolicyVersion"]
    assert out["VersionId"] == "v2" and out["IsDefaultVersion"] is True
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    assert iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]["Document"] == v2
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(ALLOW_S3_READ))
    versions = gh.aws("iam", "list-policy-versions", "--policy-arn", arn)["Versions"]
    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in versions] == [
        ("v5", False), ("v4", False), ("v3", False), ("v2", True), ("v1", False)]
    expect_error(lambda: iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2)),
                 "LimitExceeded",
                 "A managed policy can have up to 5 versions. Before you create a new version, you must "
                 "delete an existing version.", 409)
    cp = gh.aws("iam", "delete-policy-version", "--policy-arn", arn, "--version-id", "v2", check=False)
    assert cli_error(cp) == ("DeleteConflict", "Cannot delete the default version of a policy.")
    expect_error(lambda: iam.delete_policy(PolicyArn=arn), "DeleteConflict", status=409)
    gh.aws("iam", "set-default-policy-version", "--policy-arn", arn, "--version-id", "v4")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v4"
    expect_error(lambda: iam.set_default_policy_version(PolicyArn=arn, VersionId="v9"), "NoSuchEntity",
                 f"Policy {arn} version v9 does not exist or is not attachable.", 404)
    for v in ("v1", "v2", "v3", "v5"):
        iam.delete_policy_version(PolicyArn=arn, VersionId=v)
    assert [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]] == ["v4"]
    # AWS never reuses a version number, not even the deleted newest one (v5).
    out = iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2))["PolicyVersion"]
    assert out["VersionId"] == "v6"
    iam.delete_policy_version(PolicyArn=arn, VersionId="v6")
    iam.delete_policy(PolicyArn=arn)
    # A new policy of the same name starts again at v1, as on AWS.
    arn = iam.create_policy(PolicyName="versioned", PolicyDocument=json.dumps(ALLOW_S3_READ))["Policy"]["Arn"]
    assert iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2))["PolicyVersion"]["VersionId"] == "v2"


def test_list_entities_for_policy(gh):
    iam = gh.client("iam")
    arn = iam.create_policy(PolicyName="shared", PolicyDocument=json.dumps(ALLOW_S3_READ))["Policy"]["Arn"]
    iam.create_group(GroupName="devs")
    iam.create_user(UserName="dora", Path="/eng/")
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    iam.attach_user_policy(UserName="dora", PolicyArn=arn)
    iam.attach_role_policy(RoleName="app", PolicyArn=arn)
    out = gh.aws("iam", "list-entities-for-policy", "--policy-arn", arn)
    assert [g["GroupName"] for g in out["PolicyGroups"]] == ["devs"]
    assert [u["UserName"] for u in out["PolicyUsers"]] == ["dora"]
    assert [r["RoleName"] for r in out["PolicyRoles"]] == ["app"]
    assert re.fullmatch(r"AGPA[A-Z2-7]{17}", out["PolicyGroups"][0]["GroupId"])
    only = iam.list_entities_for_policy(PolicyArn=arn, EntityFilter="Role")
    assert (only["PolicyGroups"], only["PolicyUsers"], [r["RoleName"] for r in only["PolicyRoles"]]) == (
        [], [], ["app"])
    pages = list(iam.get_paginator("list_entities_for_policy").paginate(PolicyArn=arn,
                                                                          PaginationConfig={"PageSize": 1}))
    assert sum(len(p["PolicyGroups"]) + len(p["PolicyUsers"]) + len(p["PolicyRoles"]) for p in pages) == 3
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 3


def test_instance_profiles(gh):
    iam = gh.client("iam")
    gh.aws("iam", "create-role", "--role-name", "ec2-s3-read-role", "--assume-role-policy-document",
           json.dumps(TRUST_EC2))
    iam.create_role(RoleName="other", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    p = gh.aws("iam", "create-instance-profile", "--instance-profile-name", "web", "--path", "/app/",
               "--tags", "Key=env,Value=test")["InstanceProfile"]
    assert p["Arn"] == f"arn:aws:iam::{gh.account_id}:instance-profile/app/web"
    assert re.fullmatch(r"AIPA[A-Z2-7]{17}", p["InstanceProfileId"])
    assert p["Roles"] == []
    cp = gh.aws("iam", "create-instance-profile", "--instance-profile-name", "WEB", check=False)
    assert cli_error(cp) == ("EntityAlreadyExists", "Instance Profile WEB already exists.")
    gh.aws("iam", "add-role-to-instance-profile", "--instance-profile-name", "web", "--role-name",
           "ec2-s3-read-role")
    cp = gh.aws("iam", "add-role-to-instance-profile", "--instance-profile-name", "web", "--role-name", "other",
                check=False)
    assert cli_error(cp) == ("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
    got = gh.aws("iam", "get-instance-profile", "--instance-profile-name", "web")["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == ["ec2-s3-read-role"]
    assert got["Roles"][0]["AssumeRolePolicyDocument"] == TRUST_EC2  # URL-encoded on the wire
    assert got["Tags"] == [{"Key": "env", "Value": "test"}]
    assert [x["InstanceProfileName"] for x in gh.aws("iam", "list-instance-profiles")["InstanceProfiles"]] == ["web"]
    assert [x["InstanceProfileName"] for x in iam.list_instance_profiles_for_role(
        RoleName="ec2-s3-read-role")["InstanceProfiles"]] == ["web"]
    assert iam.list_instance_profiles_for_role(RoleName="other")["InstanceProfiles"] == []
    gh.aws("iam", "tag-instance-profile", "--instance-profile-name", "web", "--tags", "Key=team,Value=castle")
    tags = gh.aws("iam", "list-instance-profile-tags", "--instance-profile-name", "web")["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "test"), ("team", "castle")]
    iam.untag_instance_profile(InstanceProfileName="web", TagKeys=["env"])
    assert iam.list_instance_profile_tags(InstanceProfileName="web")["Tags"] == [{"Key": "team", "Value": "castle"}]
    cp = gh.aws("iam", "delete-instance-profile", "--instance-profile-name", "web", check=False)
    assert cli_error(cp) == ("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
    gh.aws("iam", "remove-role-from-instance-profile", "--instance-profile-name", "web", "--role-name",
           "ec2-s3-read-role")
    gh.aws("iam", "delete-instance-profile", "--instance-profile-name", "web")
    expect_error(lambda: iam.get_instance_profile(InstanceProfileName="web"), "NoSuchEntity",
                 "Instance Profile web cannot be found.", 404)


def test_permissions_boundaries(gh):
    iam = gh.client("iam")
    iam.create_user(UserName="fay")
    iam.attach_user_policy(UserName="fay", PolicyArn=ADMIN)
    uc = user_client(gh, iam, "fay")
    uc.create_user(UserName="made-by-fay")  # AdministratorAccess, no boundary yet
    gh.aws("iam", "put-user-permissions-boundary", "--user-name", "fay", "--permissions-boundary", IAM_READ)
    u = gh.aws("iam", "get-user", "--user-name", "fay")["User"]
    assert u["PermissionsBoundary"] == {"PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                                        "PermissionsBoundaryArn": IAM_READ}
    # The boundary caps what the attached AdministratorAccess grants.
    assert "fay" in [x["UserName"] for x in uc.list_users()["Users"]]
    expect_error(lambda: uc.create_user(UserName="blocked"), "AccessDenied", status=403)
    gh.aws("iam", "delete-user-permissions-boundary", "--user-name", "fay")
    assert "PermissionsBoundary" not in iam.get_user(UserName="fay")["User"]
    uc.create_user(UserName="allowed-again")

    iam.create_role(RoleName="bounded", AssumeRolePolicyDocument=json.dumps(TRUST_EC2))
    iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=IAM_READ)
    assert iam.get_role(RoleName="bounded")["Role"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == IAM_READ
    ents = iam.list_entities_for_policy(PolicyArn=IAM_READ, PolicyUsageFilter="PermissionsBoundary")
    assert [r["RoleName"] for r in ents["PolicyRoles"]] == ["bounded"]
    missing = f"arn:aws:iam::{gh.account_id}:policy/none"
    expect_error(lambda: iam.put_role_permissions_boundary(RoleName="bounded", PermissionsBoundary=missing),
                 "NoSuchEntity", f"Policy {missing} does not exist or is not attachable.", 404)
    iam.delete_role_permissions_boundary(RoleName="bounded")
    assert "PermissionsBoundary" not in iam.get_role(RoleName="bounded")["Role"]


def test_terraform_style_flow(gh):
    """What `terraform apply` then `terraform destroy` of aws_iam_role, aws_iam_policy,
    aws_iam_role_policy_attachment and aws_iam_instance_profile does, through boto3."""
    iam = gh.client("iam")
    role = iam.create_role(RoleName="ec2-s3-read-role", AssumeRolePolicyDocument=json.dumps(TRUST_EC2),
                           Tags=[{"Key": "managed-by", "Value": "terraform"}])["Role"]
    pol = iam.create_policy(PolicyName="s3-read", PolicyDocument=json.dumps(ALLOW_S3_READ))["Policy"]
    iam.attach_role_policy(RoleName="ec2-s3-read-role", PolicyArn=pol["Arn"])
    prof = iam.create_instance_profile(InstanceProfileName="ec2-s3-read-profile")["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName="ec2-s3-read-profile", RoleName="ec2-s3-read-role")

    # Refresh: everything reads back as written.
    got = iam.get_role(RoleName="ec2-s3-read-role")["Role"]
    assert got["Arn"] == role["Arn"] and got["AssumeRolePolicyDocument"] == TRUST_EC2
    p = iam.get_policy(PolicyArn=pol["Arn"])["Policy"]
    assert p["AttachmentCount"] == 1
    assert iam.get_policy_version(PolicyArn=pol["Arn"], VersionId=p["DefaultVersionId"])[
        "PolicyVersion"]["Document"] == ALLOW_S3_READ
    assert iam.list_attached_role_policies(RoleName="ec2-s3-read-role")["AttachedPolicies"] == [
        {"PolicyName": "s3-read", "PolicyArn": pol["Arn"]}]
    ip = iam.get_instance_profile(InstanceProfileName="ec2-s3-read-profile")["InstanceProfile"]
    assert ip["InstanceProfileId"] == prof["InstanceProfileId"]
    assert [(r["RoleName"], r["RoleId"]) for r in ip["Roles"]] == [("ec2-s3-read-role", role["RoleId"])]
    assert [x["InstanceProfileName"] for x in iam.list_instance_profiles_for_role(
        RoleName="ec2-s3-read-role")["InstanceProfiles"]] == ["ec2-s3-read-profile"]
    ents = iam.list_entities_for_policy(PolicyArn=pol["Arn"])
    assert [r["RoleName"] for r in ents["PolicyRoles"]] == ["ec2-s3-read-role"]

    # Destroy, in reverse dependency order.
    iam.remove_role_from_instance_profile(InstanceProfileName="ec2-s3-read-profile", RoleName="ec2-s3-read-role")
    iam.delete_instance_profile(InstanceProfileName="ec2-s3-read-profile")
    iam.detach_role_policy(RoleName="ec2-s3-read-role", PolicyArn=pol["Arn"])
    for v in iam.list_policy_versions(PolicyArn=pol["Arn"])["Versions"]:
        if not v["IsDefaultVersion"]:
            iam.delete_policy_version(PolicyArn=pol["Arn"], VersionId=v["VersionId"])
    iam.delete_policy(PolicyArn=pol["Arn"])
    iam.delete_role(RoleName="ec2-s3-read-role")
    assert iam.list_instance_profiles()["InstanceProfiles"] == []
    assert iam.list_roles()["Roles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
