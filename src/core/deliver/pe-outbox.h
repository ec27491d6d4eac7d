/* pe-outbox.h: the persistent delivery queue
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * At-least-once delivery made exactly-once by the targets' idempotency: an item is marked
 * delivered only after its target confirmed, and a target given the same document twice
 * keeps one copy. Failed attempts are retried with exponential back-off.
 */
#pragma once

#include "pe-store.h"

G_BEGIN_DECLS

#define PE_OUTBOX_MAX_ATTEMPTS 12

typedef struct
{
  guint delivered;
  guint failed;      /* attempts that failed in this run (item stays queued or gave up) */
  guint remaining;   /* still pending afterwards */
} PeOutboxRun;

typedef void (*PeOutboxDeliveredFunc) (const char *document_id,
                                       const char *target,
                                       gpointer    user_data);

/* Blocking: delivers every due item. Fails only when the store itself fails; a target's error
 * is recorded on its item (see pe_store_outbox_list) and counted in @run. When @first_error is
 * not NULL, it receives the first delivery error of the run. */
gboolean pe_outbox_deliver_due (PeStore                *store,
                                PeOutboxDeliveredFunc   func,
                                gpointer                user_data,
                                PeOutboxRun            *run,
                                GError                **first_error,
                                GCancellable           *cancellable,
                                GError                **error);

/* Seconds to wait after @attempts failed attempts. */
guint    pe_outbox_backoff     (guint                   attempts);

G_END_DECLS
