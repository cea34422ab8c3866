// labstore/labstore.h — the whole public API.
#ifndef LABSTORE_LABSTORE_H_
#define LABSTORE_LABSTORE_H_

#include "labstore/execution.h"
#include "labstore/experiment.h"
#include "labstore/options.h"
#include "labstore/status.h"
#include "labstore/store.h"
#include "labstore/time.h"

#endif  // LABSTORE_LABSTORE_H_
