#!/usr/bin/python3
"""iam_setup.py: prepares the warm-IAM benchmark on a fresh gatehouse: with
the root key of its data dir it makes user bench-reader with 10 managed
policies (ReadOnlyAccess and 9 of the account's own), two groups each with
a managed and an inline policy, a permissions boundary and tags; a role it
may assume; and one session of that role. Writes a credentials file with
profiles [root], [reader] and [session] (the last with aws_session_token)
and prints the role ARN.

usage: iam_setup.py ENDPOINT DATA_CREDENTIALS_FILE OUT_CREDENTIALS_FILE
"""
import configparser
import json
import os
import sys

import boto3


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource="*"):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: iam_setup.py ENDPOINT DATA_CREDENTIALS_FILE OUT_CREDENTIALS_FILE\n")
        return 2
    endpoint, creds_path, out_path = argv[1:]
    cp = configparser.ConfigParser()
    with open(creds_path) as f:
        cp.read_file(f)
    root = (cp["default"]["aws_access_key_id"].strip(), cp["default"]["aws_secret_access_key"].strip())

    def client(service, key, secret, token=None):
        return boto3.session.Session().client(service, endpoint_url=endpoint, region_name="us-east-1",
                                              aws_access_key_id=key, aws_secret_access_key=secret,
                                              aws_session_token=token)

    iam = client("iam", *root)
    account = client("sts", *root).get_caller_identity()["Account"]
    role_arn = "arn:aws:iam::%s:role/bench-reader-role" % account
    arn = "arn:aws:iam::%s:policy/%s" % (account, "%s")

    iam.create_user(UserName="bench-reader", Tags=[{"Key": "team", "Value": "bench"}])
    iam.attach_user_policy(UserName="bench-reader", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    for i in range(9):
        name = "bench-p%d" % i
        statement = allow("sts:AssumeRole", role_arn) if i == 0 else allow("s3:GetObject", "arn:aws:s3:::b%d/*" % i)
        iam.create_policy(PolicyName=name, PolicyDocument=doc(statement))
        iam.attach_user_policy(UserName="bench-reader", PolicyArn=arn % name)
    for g in range(2):
        group = "bench-g%d" % g
        iam.create_group(GroupName=group)
        iam.create_policy(PolicyName="bench-gp%d" % g, PolicyDocument=doc(allow("ec2:Describe*")))
        iam.attach_group_policy(GroupName=group, PolicyArn=arn % ("bench-gp%d" % g))
        iam.put_group_policy(GroupName=group, PolicyName="inline",
                             PolicyDocument=doc(allow("sqs:ListQueues")))
        iam.add_user_to_group(GroupName=group, UserName="bench-reader")
    iam.create_policy(PolicyName="bench-boundary",
                      PolicyDocument=doc(allow(["iam:Get*", "iam:List*", "sts:AssumeRole", "s3:*", "ec2:*", "sqs:*"])))
    iam.put_user_permissions_boundary(UserName="bench-reader", PermissionsBoundary=arn % "bench-boundary")
    key = iam.create_access_key(UserName="bench-reader")["AccessKey"]

    iam.create_role(RoleName="bench-reader-role", AssumeRolePolicyDocument=doc({
        "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": "arn:aws:iam::%s:user/bench-reader" % account}}))
    iam.attach_role_policy(RoleName="bench-reader-role", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    sess = client("sts", key["AccessKeyId"], key["SecretAccessKey"]).assume_role(
        RoleArn=role_arn, RoleSessionName="bench")["Credentials"]

    out = configparser.ConfigParser()
    out["root"] = {"aws_access_key_id": root[0], "aws_secret_access_key": root[1]}
    out["reader"] = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    out["session"] = {"aws_access_key_id": sess["AccessKeyId"], "aws_secret_access_key": sess["SecretAccessKey"],
                      "aws_session_token": sess["SessionToken"]}
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        out.write(f)
    print(role_arn)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
