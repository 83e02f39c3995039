/*
 * sts.h: the AWS Security Token Service actions (Version 2011-06-15).
 */
#ifndef GH_STS_H
#define GH_STS_H

#include "api/api.h"

/* The STS service table for the api front door. */
extern const struct gh_service gh_sts_service;

#endif
