/* serve.c: cli/ wires everything, the front door included. */
#include "api/api.h"
#include "console/console.h"
#include "iam/iam.h"
#include "s3/s3.h"
#include "sts/sts.h"

int
main(void)
{
    return gh_api_new() != 0;
}
