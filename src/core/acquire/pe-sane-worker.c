/* pe-sane-worker.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Why one thread for the whole process, not one per device: SANE must be initialised once per
 * process, the dll meta-backend and most backends (test and pnm among them) keep global state
 * without locks, and sane_get_devices() must not run while another thread scans. The only
 * arrangement that is safe for every backend is therefore a single thread that makes every
 * SANE call: sane_init() once, device listing, and each scanner's whole job (open, options,
 * start, read, cancel, close). Callers hand it work through a queue and get the result back in
 * their own main context through GTask. The price is that two scanners cannot read at the same
 * time in one process; a scan centre runs one station process per scanner instead.
 *
 * sane_exit() is not called at the end: the thread lives as long as the process, and backends
 * release their devices when the process ends. It is called, followed by sane_init(), between
 * jobs once the net backend has talked to a saned (see _pe_sane_worker_reset_network()).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE   /* RTLD_NEXT */
#endif
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <glib/gi18n-lib.h>
#include <pthread.h>
#include <signal.h>

#include "pe-error.h"
#include "pe-sane-worker.h"

/* Statuses of later SANE versions (sane.h keeps them under #if 0); some network and driverless
 * backends return them already. */
#define PE_SANE_STATUS_WARMING_UP 12
#define PE_SANE_STATUS_HW_LOCKED  13

typedef struct
{
  PeSaneWorkFunc func;
  gpointer       data;
} Job;

typedef struct
{
  PeSaneWorkFunc func;
  gpointer       data;
  GMutex         mutex;
  GCond          cond;
  gboolean       done;
} SyncJob;

typedef struct
{
  GTask           *task;
  GTaskThreadFunc  func;
} TaskJob;

/* SANE's sanei_thread, built with pthreads as in Debian, makes a backend's reader thread
 * asynchronously cancellable and cancels it when a frame ends (the test backend at every
 * frame). A cancel that lands while the reader is in free() or exiting leaves its malloc arena
 * locked: the reader hangs in its own exit and sane_read() waits for it in pthread_join() for
 * ever (seen in the sane tests, 3 runs in 48 under load with MALLOC_PERTURB_). Exported from
 * the executables (meson: --export-dynamic-symbol), this makes every such request deferred:
 * the cancel then takes effect at the reader's next cancellation point (its pipe write, its
 * USB read, a sleep), where it holds no lock, or not at all once it has returned. */
int
pthread_setcanceltype (int  type,
                       int *oldtype)
{
  static gpointer real_fn;   /* looked up once; a second lookup would find the same */
  int (*real) (int, int *) = g_atomic_pointer_get (&real_fn);

  if (real == NULL)
    {
      real = (int (*) (int, int *)) dlsym (RTLD_NEXT, "pthread_setcanceltype");
      if (real == NULL)
        return ENOSYS;
      g_atomic_pointer_set (&real_fn, (gpointer) real);
    }
  return real (type == PTHREAD_CANCEL_ASYNCHRONOUS ? PTHREAD_CANCEL_DEFERRED : type, oldtype);
}

static GAsyncQueue *worker_queue;
static GThread     *worker_thread;
static SANE_Status  init_status = SANE_STATUS_GOOD;
static gboolean     network_used;   /* SANE thread only */

static gpointer
worker_main (gpointer user_data)
{
  SANE_Int version = 0;

  init_status = sane_init (&version, NULL);
  if (init_status != SANE_STATUS_GOOD)
    g_warning ("sane_init failed: %s", sane_strstatus (init_status));
  else
    g_debug ("SANE %d.%d.%d initialised", SANE_VERSION_MAJOR (version),
             SANE_VERSION_MINOR (version), SANE_VERSION_BUILD (version));

  for (;;)
    {
      Job *job = g_async_queue_pop (worker_queue);

      job->func (job->data);
      g_free (job);
    }

  return NULL;
}

static GAsyncQueue *
get_queue (void)
{
  static gsize initialised;

  if (g_once_init_enter (&initialised))
    {
      struct sigaction old_action;

      /* The net backend writes to its sockets without MSG_NOSIGNAL: when saned or the network
       * drops the connection mid-scan, SIGPIPE would end the whole program instead of the
       * write failing, and the scanner reporting an I/O error. Nothing in a GLib program
       * relies on SIGPIPE; a handler someone installed is left alone. */
      if (sigaction (SIGPIPE, NULL, &old_action) == 0 && old_action.sa_handler == SIG_DFL)
        signal (SIGPIPE, SIG_IGN);

      worker_queue = g_async_queue_new ();
      worker_thread = g_thread_new ("pe-sane", worker_main, NULL);
      g_once_init_leave (&initialised, 1);
    }

  return worker_queue;
}

gboolean
_pe_sane_worker_is_sane_thread (void)
{
  return worker_thread != NULL && g_thread_self () == worker_thread;
}

void
_pe_sane_worker_push (PeSaneWorkFunc func,
                      gpointer       data)
{
  GAsyncQueue *queue = get_queue ();
  Job *job = g_new0 (Job, 1);

  job->func = func;
  job->data = data;
  g_async_queue_push (queue, job);
}

static void
sync_job_run (gpointer data)
{
  SyncJob *job = data;

  job->func (job->data);

  g_mutex_lock (&job->mutex);
  job->done = TRUE;
  g_cond_signal (&job->cond);
  g_mutex_unlock (&job->mutex);
}

void
_pe_sane_worker_run_sync (PeSaneWorkFunc func,
                          gpointer       data)
{
  SyncJob job = { func, data };

  if (_pe_sane_worker_is_sane_thread ())
    {
      func (data);
      return;
    }

  g_mutex_init (&job.mutex);
  g_cond_init (&job.cond);

  _pe_sane_worker_push (sync_job_run, &job);

  g_mutex_lock (&job.mutex);
  while (!job.done)
    g_cond_wait (&job.cond, &job.mutex);
  g_mutex_unlock (&job.mutex);

  g_mutex_clear (&job.mutex);
  g_cond_clear (&job.cond);
}

static void
task_job_run (gpointer data)
{
  TaskJob *job = data;

  job->func (job->task,
             g_task_get_source_object (job->task),
             g_task_get_task_data (job->task),
             g_task_get_cancellable (job->task));

  g_object_unref (job->task);
  g_free (job);
}

void
_pe_sane_worker_run_task (GTask           *task,
                          GTaskThreadFunc  func)
{
  TaskJob *job = g_new0 (TaskJob, 1);

  g_return_if_fail (G_IS_TASK (task));

  job->task = g_object_ref (task);
  job->func = func;
  _pe_sane_worker_push (task_job_run, job);
}

void
_pe_sane_worker_note_network (void)
{
  g_assert (_pe_sane_worker_is_sane_thread ());

  network_used = TRUE;
}

/* The net backend (sane-backends 1.2.1) keeps one connection per saned host from the first
 * call on and never notices that it has died: after saned restarted or the network dropped,
 * sane_get_devices() frees garbage and aborts the whole program, and sane_open() fails with
 * an I/O error forever. Re-initialising SANE makes it connect afresh. That is only safe with
 * no device open, which holds between two jobs on this thread (scans close their device at
 * the end of each job), and is only done once a network device was seen, so that purely
 * local setups never re-initialise backends. */
void
_pe_sane_worker_reset_network (void)
{
  SANE_Int version = 0;

  g_assert (_pe_sane_worker_is_sane_thread ());

  if (!network_used)
    return;

  g_debug ("re-initialising SANE so that the net backend reconnects");
  network_used = FALSE;
  if (init_status == SANE_STATUS_GOOD)
    sane_exit ();
  init_status = sane_init (&version, NULL);
  if (init_status != SANE_STATUS_GOOD)
    g_warning ("sane_init failed: %s", sane_strstatus (init_status));
}

gboolean
_pe_sane_worker_check_init (GError **error)
{
  g_assert (_pe_sane_worker_is_sane_thread ());

  if (init_status == SANE_STATUS_GOOD)
    return TRUE;

  g_set_error (error, PE_ERROR, PE_ERROR_DEVICE,
               _("The scanner library SANE could not be started (%s). Check that "
                 "sane-backends is installed and its configuration is readable."),
               sane_strstatus (init_status));
  return FALSE;
}

gboolean
_pe_sane_set_error (GError      **error,
                    SANE_Status   status,
                    const char   *device)
{
  const char *name = device != NULL ? device : "";

  switch ((int) status)
    {
    case SANE_STATUS_CANCELLED:
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _("The scan was cancelled at the scanner."));
      break;

    case SANE_STATUS_JAMMED:
      g_set_error_literal (error, PE_ERROR, PE_ERROR_JAMMED,
                           _("Paper jam: remove the jammed sheet, then continue the batch."));
      break;

    case SANE_STATUS_COVER_OPEN:
      g_set_error_literal (error, PE_ERROR, PE_ERROR_COVER_OPEN,
                           _("The scanner cover is open: close it, then continue the batch."));
      break;

    case SANE_STATUS_NO_DOCS:
      g_set_error_literal (error, PE_ERROR, PE_ERROR_NO_DOCS,
                           _("The feeder is empty: put the documents into the feeder, "
                             "then scan again."));
      break;

    case SANE_STATUS_DEVICE_BUSY:
      g_set_error (error, PE_ERROR, PE_ERROR_DEVICE_BUSY,
                   _("Scanner “%s” is busy: wait until the other program or user has "
                     "finished with it, then try again."), name);
      break;

    case SANE_STATUS_ACCESS_DENIED:
      g_set_error (error, PE_ERROR, PE_ERROR_ACCESS_DENIED,
                   _("Access to scanner “%s” was denied: check that your user may use "
                     "scanners (group “scanner”) or the scanner’s password, then try again."),
                   name);
      break;

    case SANE_STATUS_IO_ERROR:
      g_set_error (error, PE_ERROR, PE_ERROR_DEVICE,
                   _("Communication with scanner “%s” failed: check that it is switched on "
                     "and its cable or network connection, then try again."), name);
      break;

    case SANE_STATUS_NO_MEM:
      g_set_error (error, PE_ERROR, PE_ERROR_DEVICE,
                   _("Scanner “%s” ran out of memory: choose a lower resolution or a "
                     "smaller scan area, then try again."), name);
      break;

    case SANE_STATUS_INVAL:
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("Scanner “%s” rejected the settings: choose another source, mode or "
                     "resolution, then try again."), name);
      break;

    case SANE_STATUS_UNSUPPORTED:
      g_set_error (error, PE_ERROR, PE_ERROR_UNSUPPORTED,
                   _("Scanner “%s” does not support this operation: choose other scan "
                     "settings, then try again."), name);
      break;

    case PE_SANE_STATUS_WARMING_UP:
      g_set_error (error, PE_ERROR, PE_ERROR_DEVICE_BUSY,
                   _("Scanner “%s” is warming up: wait a moment, then try again."), name);
      break;

    case PE_SANE_STATUS_HW_LOCKED:
      g_set_error (error, PE_ERROR, PE_ERROR_DEVICE,
                   _("Scanner “%s” is locked for transport: release its transport lock, "
                     "then try again."), name);
      break;

    default:
      g_set_error (error, PE_ERROR, PE_ERROR_DEVICE,
                   _("Scanner “%s” reported an error (%s): check the scanner, then try "
                     "again."), name, sane_strstatus (status));
      break;
    }

  return FALSE;
}
