#!/usr/bin/python3
"""sts_setup.py: prepares the STS benchmark on a fresh gatehouse: with the
root key of its data dir it makes a user allowed sts:AssumeRole, a role
trusting that user, and one role session; writes a credentials file with
profiles [root], [user] and [session] (the last with aws_session_token) and
prints the role ARN.

usage: sts_setup.py ENDPOINT DATA_CREDENTIALS_FILE OUT_CREDENTIALS_FILE
"""
import configparser
import json
import os
import sys

import boto3


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: sts_setup.py ENDPOINT DATA_CREDENTIALS_FILE OUT_CREDENTIALS_FILE\n")
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
    role_arn = "arn:aws:iam::%s:role/bench-role" % account
    iam.create_user(UserName="bench-user")
    iam.put_user_policy(UserName="bench-user", PolicyName="assume", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": role_arn}]}))
    key = iam.create_access_key(UserName="bench-user")["AccessKey"]
    iam.create_role(RoleName="bench-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                       "Principal": {"AWS": "arn:aws:iam::%s:user/bench-user" % account}}]}))
    iam.attach_role_policy(RoleName="bench-role", PolicyArn="arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
    sess = client("sts", key["AccessKeyId"], key["SecretAccessKey"]).assume_role(
        RoleArn=role_arn, RoleSessionName="bench")["Credentials"]

    out = configparser.ConfigParser()
    out["root"] = {"aws_access_key_id": root[0], "aws_secret_access_key": root[1]}
    out["user"] = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
    out["session"] = {"aws_access_key_id": sess["AccessKeyId"], "aws_secret_access_key": sess["SecretAccessKey"],
                      "aws_session_token": sess["SessionToken"]}
    fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        out.write(f)
    print(role_arn)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
