/*
 * org.h: AWS Organizations (JSON 1.1 protocol): an organization per
 * management account and member accounts created in it, each with the
 * role that lets the management account in, as AWS creates them.
 */
#ifndef GH_ORG_H
#define GH_ORG_H

#include "api/api.h"

extern const struct gh_service gh_org_service;

#endif
