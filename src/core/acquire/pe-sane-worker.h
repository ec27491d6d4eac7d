/* pe-sane-worker.h: the one thread that talks to SANE (internal to the acquire stage)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <sane/sane.h>

G_BEGIN_DECLS

typedef void (*PeSaneWorkFunc) (gpointer data);

/* Queues @func (@data) on the SANE thread behind every earlier job; returns at once. */
void      _pe_sane_worker_push           (PeSaneWorkFunc   func,
                                          gpointer         data);
/* Runs @func (@data) on the SANE thread and waits for it. Called on the SANE thread itself
 * (e.g. from a page callback) it runs @func directly instead of deadlocking. */
void      _pe_sane_worker_run_sync       (PeSaneWorkFunc   func,
                                          gpointer         data);
/* Like g_task_run_in_thread(), but on the SANE thread. */
void      _pe_sane_worker_run_task       (GTask           *task,
                                          GTaskThreadFunc  func);
gboolean  _pe_sane_worker_is_sane_thread (void);
/* On the SANE thread: FALSE with @error when sane_init() failed in this process. */
gboolean  _pe_sane_worker_check_init     (GError         **error);

/* On the SANE thread: the net backend is (or was) connected to a saned. */
void      _pe_sane_worker_note_network   (void);
/* On the SANE thread, between jobs (no device open): if the net backend was used, re-initialise
 * SANE so that it reconnects to every saned (pe-sane-worker.c says why). */
void      _pe_sane_worker_reset_network  (void);

/* Sets @error for a failed SANE call on @device (NULL: no device yet) with a PE_ERROR code
 * and a translated message saying what to do. Always returns FALSE. */
gboolean  _pe_sane_set_error             (GError         **error,
                                          SANE_Status      status,
                                          const char      *device);

G_END_DECLS
