// labstore/labstore.h — the whole public API.
#ifndef LABSTORE_LABSTORE_H_
#define LABSTORE_LABSTORE_H_

#include "labstore/check.h"
#include "labstore/data.h"
#include "labstore/execution.h"
#include "labstore/experiment.h"
#include "labstore/export.h"
#include "labstore/import.h"
#include "labstore/npy.h"
#include "labstore/options.h"
#include "labstore/progress.h"
#include "labstore/record.h"
#include "labstore/record_reader.h"
#include "labstore/run.h"
#include "labstore/status.h"
#include "labstore/store.h"
#include "labstore/time.h"

#endif  // LABSTORE_LABSTORE_H_
