/*
 * bench_policy_set.c: policy decisions per second on one core for a
 * principal as real accounts have them: an IAM user with 10 managed
 * policies (ReadOnlyAccess and PowerUserAccess among them), 3 group
 * policies with conditions and a permissions boundary, deciding a mix of
 * 100 (action, resource) pairs drawn from many services. Hot: policies
 * compiled once, contexts prepared, decide only. Cold: parse + validate +
 * compile every policy of the set, then decide. Median of 3 runs, with
 * the peers' published figures (iam-simulate ~95 us, cedar ~142 us, both
 * with the policy pre-parsed). Not a timed test.
 *
 * AWS's ReadOnlyAccess (v119) lists Describe*, Get*, List* and kin for
 * every AWS service, thousands of entries; it is rebuilt here in that
 * shape from a list of real service prefixes (rebuilding, not copying:
 * only the number and shape of its patterns matter to the engine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/policy.h"

#define PEER_IAM_SIMULATE_US 95.0
#define PEER_CEDAR_US 142.0
#define ACCT "111122223333"
#define NPAIRS 100
#define NPOL 16 /* 10 managed, 3 group, 1 boundary, and room */

static const char *const services[] = {
    "access-analyzer",
    "account",
    "acm",
    "acm-pca",
    "aiops",
    "airflow",
    "amplify",
    "apigateway",
    "appconfig",
    "appflow",
    "application-autoscaling",
    "appmesh",
    "apprunner",
    "appstream",
    "appsync",
    "athena",
    "auditmanager",
    "autoscaling",
    "backup",
    "batch",
    "bedrock",
    "budgets",
    "ce",
    "chatbot",
    "cloud9",
    "clouddirectory",
    "cloudformation",
    "cloudfront",
    "cloudhsm",
    "cloudsearch",
    "cloudtrail",
    "cloudwatch",
    "codeartifact",
    "codebuild",
    "codecommit",
    "codedeploy",
    "codeguru",
    "codepipeline",
    "codestar",
    "cognito-identity",
    "cognito-idp",
    "comprehend",
    "config",
    "connect",
    "databrew",
    "dataexchange",
    "datapipeline",
    "datasync",
    "dax",
    "detective",
    "devicefarm",
    "directconnect",
    "dlm",
    "dms",
    "docdb-elastic",
    "ds",
    "dynamodb",
    "ebs",
    "ec2",
    "ecr",
    "ecr-public",
    "ecs",
    "eks",
    "elasticache",
    "elasticbeanstalk",
    "elasticfilesystem",
    "elasticloadbalancing",
    "elasticmapreduce",
    "elastictranscoder",
    "emr-containers",
    "es",
    "events",
    "firehose",
    "fis",
    "fms",
    "forecast",
    "frauddetector",
    "fsx",
    "gamelift",
    "glacier",
    "globalaccelerator",
    "glue",
    "grafana",
    "greengrass",
    "guardduty",
    "health",
    "iam",
    "imagebuilder",
    "inspector",
    "inspector2",
    "iot",
    "iotanalytics",
    "iotevents",
    "iotsitewise",
    "kafka",
    "kendra",
    "kinesis",
    "kinesisanalytics",
    "kinesisvideo",
    "kms",
    "lakeformation",
    "lambda",
    "lex",
    "license-manager",
    "lightsail",
    "logs",
    "macie2",
    "mediaconvert",
    "medialive",
    "mediapackage",
    "mediastore",
    "memorydb",
    "mgn",
    "mq",
    "neptune-db",
    "network-firewall",
    "networkmanager",
    "oam",
    "opsworks",
    "organizations",
    "outposts",
    "personalize",
    "pi",
    "pipes",
    "polly",
    "pricing",
    "qldb",
    "quicksight",
    "ram",
    "rds",
    "redshift",
    "rekognition",
    "resource-groups",
    "robomaker",
    "route53",
    "route53resolver",
    "s3",
    "s3-object-lambda",
    "sagemaker",
    "savingsplans",
    "scheduler",
    "schemas",
    "secretsmanager",
    "securityhub",
    "servicecatalog",
    "servicediscovery",
    "servicequotas",
    "ses",
    "shield",
    "signer",
    "sns",
    "sqs",
    "ssm",
    "sso",
    "states",
    "storagegateway",
    "sts",
    "support",
    "swf",
    "synthetics",
    "tag",
    "textract",
    "timestream",
    "transcribe",
    "transfer",
    "translate",
    "trustedadvisor",
    "waf",
    "waf-regional",
    "wafv2",
    "wellarchitected",
    "workspaces",
    "xray",
};

/* What ReadOnlyAccess grants in each service (the common read verbs). */
static const char *const read_verbs[] = {"Describe*", "Get*", "List*", "BatchGet*"};

static const char power_user[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"NotAction\":[\"iam:*\","
    "\"organizations:*\",\"account:*\"],\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Action\":["
    "\"account:GetAccountInformation\",\"account:GetGovCloudAccountInformation\","
    "\"account:GetPrimaryEmail\",\"account:ListRegions\",\"iam:CreateServiceLinkedRole\","
    "\"iam:DeleteServiceLinkedRole\",\"iam:ListRoles\",\"organizations:DescribeEffectivePolicy\","
    "\"organizations:DescribeOrganization\"],\"Resource\":\"*\"}]}";

static const char *const fixed_docs[] = {
    /* IAMReadOnlyAccess */
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
    "\"iam:GenerateCredentialReport\",\"iam:GenerateServiceLastAccessedDetails\",\"iam:Get*\","
    "\"iam:List*\",\"iam:SimulateCustomPolicy\",\"iam:SimulatePrincipalPolicy\"],"
    "\"Resource\":\"*\"}]}",
    /* AmazonS3ReadOnlyAccess */
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"s3:Get*\","
    "\"s3:List*\",\"s3:Describe*\",\"s3-object-lambda:Get*\",\"s3-object-lambda:List*\"],"
    "\"Resource\":\"*\"}]}",
    /* customer managed: DynamoDB tables of the team, by tag */
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Tables\",\"Effect\":\"Allow\","
    "\"Action\":[\"dynamodb:GetItem\",\"dynamodb:PutItem\",\"dynamodb:Query\","
    "\"dynamodb:UpdateItem\",\"dynamodb:DeleteItem\",\"dynamodb:BatchWriteItem\"],"
    "\"Resource\":\"arn:aws:dynamodb:*:" ACCT ":table/team-*\",\"Condition\":{\"StringEquals\":"
    "{\"aws:ResourceTag/team\":\"${aws:PrincipalTag/team}\"}}},{\"Sid\":\"NoDrop\","
    "\"Effect\":\"Deny\",\"Action\":\"dynamodb:DeleteTable\",\"Resource\":\"*\"}]}",
    /* customer managed: EC2 in two regions, instances by owner tag */
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
    "\"ec2:StartInstances\",\"ec2:StopInstances\",\"ec2:RebootInstances\"],\"Resource\":"
    "\"arn:aws:ec2:*:" ACCT ":instance/*\",\"Condition\":{\"StringEquals\":{"
    "\"ec2:ResourceTag/owner\":\"${aws:username}\"},\"StringEqualsIfExists\":{"
    "\"aws:RequestedRegion\":[\"us-east-1\",\"eu-west-1\"]}}},{\"Effect\":\"Deny\","
    "\"Action\":\"ec2:TerminateInstances\",\"Resource\":\"*\"}]}",
    /* customer managed: KMS keys by alias and via service */
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
    "\"kms:Decrypt\",\"kms:Encrypt\",\"kms:GenerateDataKey*\",\"kms:ReEncrypt*\"],"
    "\"Resource\":\"arn:aws:kms:*:" ACCT ":key/*\",\"Condition\":{\"StringLike\":{"
    "\"kms:ViaService\":[\"s3.*.amazonaws.com\",\"dynamodb.*.amazonaws.com\"]}}}]}",
    /* customer managed: Lambda and logs of the app */
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
    "\"lambda:InvokeFunction\",\"lambda:UpdateFunctionCode\",\"lambda:GetFunction*\"],"
    "\"Resource\":\"arn:aws:lambda:*:" ACCT ":function:app-*\"},{\"Effect\":\"Allow\","
    "\"Action\":[\"logs:CreateLogStream\",\"logs:PutLogEvents\",\"logs:FilterLogEvents\"],"
    "\"Resource\":\"arn:aws:logs:*:" ACCT ":log-group:/aws/lambda/app-*\"}]}",
    /* customer managed: queues and topics */
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"sqs:*\"],"
    "\"Resource\":\"arn:aws:sqs:*:" ACCT ":app-*\"},{\"Effect\":\"Allow\",\"Action\":["
    "\"sns:Publish\",\"sns:Subscribe\"],\"Resource\":\"arn:aws:sns:*:" ACCT ":app-*\"},"
    "{\"Effect\":\"Deny\",\"Action\":[\"sqs:DeleteQueue\",\"sns:DeleteTopic\"],"
    "\"Resource\":\"*\"}]}",
    /* customer managed: own access keys and MFA */
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
    "\"iam:*AccessKey*\",\"iam:*MFADevice\",\"iam:ChangePassword\"],\"Resource\":["
    "\"arn:aws:iam::" ACCT ":user/${aws:username}\",\"arn:aws:iam::" ACCT
    ":mfa/${aws:username}\"]}]}",
    /* customer managed: secrets of the app */
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":["
    "\"secretsmanager:GetSecretValue\",\"secretsmanager:DescribeSecret\"],\"Resource\":"
    "\"arn:aws:secretsmanager:*:" ACCT ":secret:app/*\"}]}",
};

/* Group policies: each with conditions. */
static const char *const group_docs[] = {
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"NeedMfa\",\"Effect\":\"Deny\","
    "\"NotAction\":[\"iam:*MFADevice\",\"iam:ChangePassword\",\"sts:GetSessionToken\"],"
    "\"Resource\":\"*\",\"Condition\":{\"BoolIfExists\":{\"aws:MultiFactorAuthPresent\":"
    "\"false\"}}}]}",
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Office\",\"Effect\":\"Deny\","
    "\"Action\":\"*\",\"Resource\":\"*\",\"Condition\":{\"NotIpAddress\":{\"aws:SourceIp\":["
    "\"10.0.0.0/8\",\"192.0.2.0/24\",\"2001:db8::/32\"]},\"Bool\":{\"aws:ViaAWSService\":"
    "\"false\"}}}]}",
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Regions\",\"Effect\":\"Deny\","
    "\"NotAction\":[\"iam:*\",\"sts:*\",\"s3:*\",\"cloudfront:*\",\"route53:*\",\"support:*\"],"
    "\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:RequestedRegion\":["
    "\"us-east-1\",\"eu-west-1\"]}}},{\"Sid\":\"Workday\",\"Effect\":\"Allow\",\"Action\":["
    "\"ssm:StartSession\"],\"Resource\":\"*\",\"Condition\":{\"DateGreaterThan\":{"
    "\"aws:CurrentTime\":\"2024-01-01T00:00:00Z\"},\"ForAnyValue:StringEquals\":{"
    "\"aws:TagKeys\":[\"team\",\"env\"]}}}]}",
};

static const char boundary_doc[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Services\",\"Effect\":\"Allow\","
    "\"Action\":[\"s3:*\",\"ec2:*\",\"dynamodb:*\",\"lambda:*\",\"logs:*\",\"sqs:*\",\"sns:*\","
    "\"kms:*\",\"cloudwatch:*\",\"secretsmanager:*\",\"ssm:*\",\"iam:Get*\",\"iam:List*\","
    "\"iam:*AccessKey*\",\"iam:*MFADevice\",\"iam:ChangePassword\",\"sts:*\",\"rds:Describe*\","
    "\"ecs:*\",\"ecr:*\",\"cloudformation:*\",\"events:*\",\"states:*\",\"athena:*\",\"glue:*\"],"
    "\"Resource\":\"*\"},{\"Sid\":\"NoBoundaryEdit\",\"Effect\":\"Deny\",\"Action\":["
    "\"iam:DeleteUserPermissionsBoundary\",\"iam:PutUserPermissionsBoundary\"],"
    "\"Resource\":\"*\"}]}";

/* (action, resource) pairs across services; built into NPAIRS by cycling regions and names. */
static const char *const pair_src[][2] = {
    {"s3:GetObject", "arn:aws:s3:::data-lake/raw/2024/05/01/part-0001.parquet"},
    {"s3:PutObject", "arn:aws:s3:::data-lake/curated/x.parquet"},
    {"s3:ListBucket", "arn:aws:s3:::data-lake"},
    {"s3:DeleteObject", "arn:aws:s3:::logs-archive/2023/12/31/app.log.gz"},
    {"ec2:DescribeInstances", "*"},
    {"ec2:StartInstances", "arn:aws:ec2:us-east-1:" ACCT ":instance/i-0123456789abcdef0"},
    {"ec2:TerminateInstances", "arn:aws:ec2:us-east-1:" ACCT ":instance/i-0123456789abcdef0"},
    {"ec2:CreateVpc", "arn:aws:ec2:eu-west-1:" ACCT ":vpc/*"},
    {"dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:" ACCT ":table/team-orders"},
    {"dynamodb:Query", "arn:aws:dynamodb:eu-west-1:" ACCT ":table/team-orders/index/by-date"},
    {"dynamodb:DeleteTable", "arn:aws:dynamodb:us-east-1:" ACCT ":table/team-orders"},
    {"lambda:InvokeFunction", "arn:aws:lambda:us-east-1:" ACCT ":function:app-ingest"},
    {"lambda:ListFunctions", "*"},
    {"logs:PutLogEvents", "arn:aws:logs:us-east-1:" ACCT ":log-group:/aws/lambda/app-ingest:*"},
    {"logs:DescribeLogGroups", "*"},
    {"sqs:SendMessage", "arn:aws:sqs:us-east-1:" ACCT ":app-jobs"},
    {"sqs:DeleteQueue", "arn:aws:sqs:us-east-1:" ACCT ":app-jobs"},
    {"sns:Publish", "arn:aws:sns:eu-west-1:" ACCT ":app-alerts"},
    {"kms:Decrypt", "arn:aws:kms:us-east-1:" ACCT ":key/1234abcd-12ab-34cd-56ef-1234567890ab"},
    {"kms:CreateKey", "*"},
    {"iam:GetUser", "arn:aws:iam::" ACCT ":user/bob"},
    {"iam:CreateAccessKey", "arn:aws:iam::" ACCT ":user/bob"},
    {"iam:CreateUser", "arn:aws:iam::" ACCT ":user/eve"},
    {"iam:ListRoles", "*"},
    {"iam:PutUserPermissionsBoundary", "arn:aws:iam::" ACCT ":user/bob"},
    {"sts:GetCallerIdentity", "*"},
    {"secretsmanager:GetSecretValue",
     "arn:aws:secretsmanager:us-east-1:" ACCT ":secret:app/db-AbCdEf"},
    {"cloudwatch:PutMetricData", "*"},
    {"cloudformation:DescribeStacks", "arn:aws:cloudformation:us-east-1:" ACCT ":stack/app/1"},
    {"rds:DescribeDBInstances", "arn:aws:rds:us-east-1:" ACCT ":db:app"},
    {"rds:DeleteDBInstance", "arn:aws:rds:us-east-1:" ACCT ":db:app"},
    {"ssm:StartSession", "arn:aws:ec2:us-east-1:" ACCT ":instance/i-0123456789abcdef0"},
    {"ssm:GetParameter", "arn:aws:ssm:us-east-1:" ACCT ":parameter/app/db/url"},
    {"ecs:RunTask", "arn:aws:ecs:us-east-1:" ACCT ":task-definition/app:7"},
    {"ecr:BatchGetImage", "arn:aws:ecr:us-east-1:" ACCT ":repository/app"},
    {"states:StartExecution", "arn:aws:states:us-east-1:" ACCT ":stateMachine:app"},
    {"athena:StartQueryExecution", "arn:aws:athena:us-east-1:" ACCT ":workgroup/primary"},
    {"glue:GetTable", "arn:aws:glue:us-east-1:" ACCT ":table/lake/orders"},
    {"organizations:ListAccounts", "*"},
    {"route53:ListHostedZones", "*"},
    {"cloudfront:CreateInvalidation", "arn:aws:cloudfront::" ACCT ":distribution/E1"},
    {"sagemaker:ListModels", "*"},
    {"redshift:DescribeClusters", "*"},
    {"guardduty:GetFindings", "arn:aws:guardduty:us-east-1:" ACCT ":detector/d1"},
    {"xray:GetTraceSummaries", "*"},
    {"support:DescribeCases", "*"},
    {"account:GetAccountInformation", "*"},
    {"elasticloadbalancing:DescribeLoadBalancers", "*"},
    {"events:PutEvents", "arn:aws:events:us-east-1:" ACCT ":event-bus/default"},
    {"kinesis:PutRecord", "arn:aws:kinesis:us-east-1:" ACCT ":stream/clicks"},
};

/* CPU time of this thread: "on one core", and not counting time the machine gave others. */
static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ReadOnlyAccess in AWS's shape: one statement, every service's read verbs. */
static char *
read_only_doc(void)
{
    size_t cap = 64 * 1024, len = 0;
    char *d = malloc(cap);

    if (d == NULL)
        return NULL;
    len += (size_t)snprintf(d + len, cap - len,
                            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":"
                            "\"ReadOnlyActions\",\"Effect\":\"Allow\",\"Action\":[");
    for (size_t s = 0; s < sizeof(services) / sizeof(services[0]); s++)
        for (size_t v = 0; v < sizeof(read_verbs) / sizeof(read_verbs[0]); v++)
            len += (size_t)snprintf(d + len, cap - len, "%s\"%s:%s\"", s + v > 0 ? "," : "",
                                    services[s], read_verbs[v]);
    len += (size_t)snprintf(d + len, cap - len, "],\"Resource\":\"*\"}]}");
    if (len >= cap) {
        free(d);
        return NULL;
    }
    return d;
}

struct set {
    const char *docs[NPOL];
    enum gh_policy_kind kinds[NPOL];
    size_t ndocs;
    size_t bytes;
    struct gh_policy *pols[NPOL];
    struct gh_policy_src ident[NPOL], boundary;
    struct gh_policy_set ps;
};

static void
set_release(struct set *s)
{
    for (size_t i = 0; i < s->ndocs; i++) {
        gh_policy_unref(s->pols[i]);
        s->pols[i] = NULL;
    }
}

/* Compiles every document of the set and wires the policy set: identity, then the boundary last. */
static int
set_compile(struct set *s)
{
    size_t ni = 0;

    memset(&s->ps, 0, sizeof(s->ps));
    for (size_t i = 0; i < s->ndocs; i++) {
        struct gh_diag d;
        if (gh_policy_compile(gh_slice_from_cstr(s->docs[i]), s->kinds[i], &d, &s->pols[i]) !=
            GH_OK) {
            fprintf(stderr, "bench_policy_set: policy %zu: %s\n", i, d.text);
            return -1;
        }
        if (s->kinds[i] == GH_POLICY_BOUNDARY) {
            s->boundary = (struct gh_policy_src){
                .policy = s->pols[i], .id = GH_S("boundary"), .origin = GH_ORIGIN_MANAGED};
            s->ps.boundary = &s->boundary;
        } else {
            s->ident[ni++] = (struct gh_policy_src){
                .policy = s->pols[i], .id = GH_S("p"), .origin = GH_ORIGIN_MANAGED};
        }
    }
    s->ps.identity = s->ident;
    s->ps.identity_count = ni;
    return 0;
}

static int
ctx_fill(struct gh_policy_ctx *c, struct gh_arena *a, size_t i)
{
    static const char *const regions[] = {"us-east-1", "eu-west-1", "ap-south-1"};
    const struct gh_policy_principal who = {
        .type = GH_PRINCIPAL_USER,
        .arn = GH_S("arn:aws:iam::" ACCT ":user/bob"),
        .account = GH_S(ACCT),
    };
    size_t k = i % (sizeof(pair_src) / sizeof(pair_src[0]));

    gh_policy_ctx_init(c, a);
    gh_policy_ctx_set_principal(c, &who);
    if (gh_policy_ctx_set_action(c, gh_slice_from_cstr(pair_src[k][0])) != GH_OK ||
        gh_policy_ctx_set_resource(c, gh_slice_from_cstr(pair_src[k][1])) != GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:username"), GH_PT_STRING, GH_S("bob")) != GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:PrincipalTag/team"), GH_PT_STRING, GH_S("orders")) !=
            GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:ResourceTag/team"), GH_PT_STRING, GH_S("orders")) != GH_OK ||
        gh_policy_ctx_add(c, GH_S("ec2:ResourceTag/owner"), GH_PT_STRING, GH_S("bob")) != GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:SourceIp"), GH_PT_IP,
                          i % 7 == 3 ? GH_S("203.0.113.9") : GH_S("10.1.2.3")) != GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:MultiFactorAuthPresent"), GH_PT_BOOL, GH_S("true")) !=
            GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:ViaAWSService"), GH_PT_BOOL, GH_S("false")) != GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:RequestedRegion"), GH_PT_STRING,
                          gh_slice_from_cstr(regions[i % 3])) != GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:CurrentTime"), GH_PT_DATE, GH_S("2024-05-01T12:00:00Z")) !=
            GH_OK ||
        gh_policy_ctx_add(c, GH_S("aws:SecureTransport"), GH_PT_BOOL, GH_S("true")) != GH_OK ||
        gh_policy_ctx_add(c, GH_S("kms:ViaService"), GH_PT_STRING,
                          GH_S("s3.us-east-1.amazonaws.com")) != GH_OK)
        return -1;
    return 0;
}

/* One hot run: us per decision over the mix, `rounds` times through it. */
static double
run_hot(const struct set *s, const struct gh_policy_ctx *ctx, long rounds, long *allowed)
{
    struct gh_policy_result r;
    double t0 = now_s();
    long all = 0;

    for (long n = 0; n < rounds; n++)
        for (size_t i = 0; i < NPAIRS; i++) {
            if (gh_policy_decide(&s->ps, &ctx[i], &r) != GH_OK)
                return -1;
            all += r.decision == GH_ALLOW;
        }
    *allowed = all / rounds; /* of the NPAIRS pairs */
    return (now_s() - t0) * 1e6 / (double)(rounds * NPAIRS);
}

/* One cold run: us to compile the whole set and decide one pair of the mix. */
static double
run_cold(struct set *s, const struct gh_policy_ctx *ctx, long n)
{
    struct gh_policy_result r;
    double t0 = now_s();

    for (long i = 0; i < n; i++) {
        if (set_compile(s) != 0 || gh_policy_decide(&s->ps, &ctx[i % NPAIRS], &r) != GH_OK)
            return -1;
        set_release(s);
    }
    return (now_s() - t0) * 1e6 / (double)n;
}

/* With "cold" as argument only the cold runs are made (for profiling them). */
int
main(int argc, char **argv)
{
    static struct gh_policy_ctx ctx[NPAIRS];
    struct gh_arena a;
    struct set s;
    char *ro = read_only_doc();
    double hot[3], cold[3];
    long allowed = 0;
    int rc = 1;

    memset(&s, 0, sizeof(s));
    gh_arena_init(&a);
    if (ro == NULL)
        goto done;
    /* 10 managed (ReadOnlyAccess, PowerUserAccess, 2 more AWS, 6 customer), 3 group, boundary. */
    s.docs[s.ndocs++] = ro;
    s.docs[s.ndocs++] = power_user;
    for (size_t i = 0; i < sizeof(fixed_docs) / sizeof(fixed_docs[0]) && s.ndocs < 10; i++)
        s.docs[s.ndocs++] = fixed_docs[i];
    for (size_t i = 0; i < sizeof(group_docs) / sizeof(group_docs[0]); i++)
        s.docs[s.ndocs++] = group_docs[i];
    s.docs[s.ndocs++] = boundary_doc;
    for (size_t i = 0; i < s.ndocs; i++) {
        s.kinds[i] = i + 1 == s.ndocs ? GH_POLICY_BOUNDARY : GH_POLICY_IDENTITY;
        s.bytes += strlen(s.docs[i]);
    }
    for (size_t i = 0; i < NPAIRS; i++)
        if (ctx_fill(&ctx[i], &a, i) != 0)
            goto done;
    if (set_compile(&s) != 0)
        goto done;
    for (int i = 0; i < 3; i++)
        if ((hot[i] = run_hot(&s, ctx, argc > 1 && strcmp(argv[1], "cold") == 0 ? 1 : 20000,
                              &allowed)) < 0)
            goto done;
    set_release(&s);
    for (int i = 0; i < 3; i++)
        if ((cold[i] = run_cold(&s, ctx, 300)) < 0)
            goto done;
    qsort(hot, 3, sizeof(hot[0]), cmp_double);
    qsort(cold, 3, sizeof(cold[0]), cmp_double);
    printf("policy set: %zu policies (%zu managed incl. ReadOnlyAccess with %zu action patterns, "
           "PowerUserAccess; 3 group; 1 boundary), %.1f KB, %d (action, resource) pairs over "
           "%zu services, %ld%% allowed\n",
           s.ndocs, (size_t)10,
           sizeof(services) / sizeof(services[0]) * (sizeof(read_verbs) / sizeof(read_verbs[0])),
           (double)s.bytes / 1024.0, NPAIRS, sizeof(pair_src) / sizeof(pair_src[0]),
           allowed * 100 / NPAIRS);
    printf("policy set hot  decision: %10.0f decisions/s  %8.3f us  (x%.0f vs iam-simulate %.0f "
           "us, x%.0f vs cedar %.0f us; target <= 0.2 us)\n",
           1e6 / hot[1], hot[1], PEER_IAM_SIMULATE_US / hot[1], PEER_IAM_SIMULATE_US,
           PEER_CEDAR_US / hot[1], PEER_CEDAR_US);
    printf("policy set cold decision: %10.0f decisions/s  %8.3f us  = %.2f us per KB of policy "
           "(x%.1f vs iam-simulate %.0f us, x%.1f vs cedar %.0f us; target <= 20 us per KB)\n",
           1e6 / cold[1], cold[1], cold[1] / ((double)s.bytes / 1024.0),
           PEER_IAM_SIMULATE_US / cold[1], PEER_IAM_SIMULATE_US, PEER_CEDAR_US / cold[1],
           PEER_CEDAR_US);
    rc = 0;
done:
    set_release(&s);
    free(ro);
    gh_arena_cleanup(&a);
    return rc;
}
