/* pe-ocr-pool.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pe-error.h"
#include "pe-ocr-engine.h"
#include "pe-ocr-pool.h"

/* Tesseract is the slowest stage and a TessBaseAPI must not be shared between threads: each
 * worker thread owns one engine for its whole life, so models and dictionaries load once per
 * core, not once per page. Tesseract itself is kept single-threaded in every worker; the pool
 * is the only parallelism. */

struct _PeOcrPool
{
  GObject      parent_instance;

  char        *languages;
  guint        n_workers;

  GThreadPool *threads;

  /* GThread → PeOcrWorker. Owned by the pool rather than by thread-local storage, so dispose
   * frees every engine after the threads went idle, in a known thread. */
  GMutex       workers_lock;
  GHashTable  *workers;
};

typedef struct
{
  PeOcrEngine *engine;
  GError      *error;    /* engine creation failed: every job of this worker gets a copy */
} PeOcrWorker;

enum
{
  JOB_QUEUED,
  JOB_RUNNING,
  JOB_DONE,
};

typedef struct
{
  GTask  *task;
  PIX    *pix;
  gulong  cancelled_id;
  int     state;         /* atomic: whoever moves it off JOB_QUEUED returns the task */
} PeOcrJob;

enum {
  PROP_0,
  PROP_LANGUAGES,
  PROP_N_WORKERS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

G_DEFINE_FINAL_TYPE (PeOcrPool, pe_ocr_pool, G_TYPE_OBJECT)

static void
pe_ocr_worker_free (gpointer data)
{
  PeOcrWorker *worker = data;

  g_clear_object (&worker->engine);
  g_clear_error (&worker->error);
  g_free (worker);
}

static gboolean
pe_ocr_job_free (gpointer data)
{
  PeOcrJob *job = data;

  /* Waits for a "cancelled" handler running in another thread, so @job outlives it. */
  g_cancellable_disconnect (g_task_get_cancellable (job->task), job->cancelled_id);
  pixDestroy (&job->pix);
  g_clear_object (&job->task);
  g_free (job);

  return G_SOURCE_REMOVE;
}

/* Frees @job in the caller's main context: the task holds the pool, so dropping the last task
 * reference in a worker could dispose the pool inside one of its own threads, which would then
 * wait for itself. */
static void
pe_ocr_job_release (PeOcrJob *job)
{
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, pe_ocr_job_free, job, NULL);
  g_source_set_static_name (source, "[pe-ocr-pool] release job");
  g_source_attach (source, g_task_get_context (job->task));
  g_source_unref (source);
}

static PeOcrWorker *
get_worker (PeOcrPool *self)
{
  GThread *thread = g_thread_self ();
  PeOcrWorker *worker;

  g_mutex_lock (&self->workers_lock);
  worker = g_hash_table_lookup (self->workers, thread);
  g_mutex_unlock (&self->workers_lock);

  if (worker != NULL)
    return worker;

  worker = g_new0 (PeOcrWorker, 1);

  /* The engine makes this thread's OpenMP single-threaded before it recognises (see
   * pe-ocr-engine.c): with one engine per core, Tesseract's own threads would only fight the
   * other workers. */
  worker->engine = pe_ocr_engine_new (self->languages, &worker->error);

  g_mutex_lock (&self->workers_lock);
  g_hash_table_insert (self->workers, thread, worker);
  g_mutex_unlock (&self->workers_lock);

  return worker;
}

static void
pe_ocr_pool_run_job (gpointer data,
                     gpointer user_data)
{
  PeOcrJob *job = data;
  PeOcrPool *self = user_data;
  g_autoptr(PeOcrResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PeOcrWorker *worker;

  /* Already answered as cancelled while it waited in the queue. */
  if (!g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_RUNNING))
    {
      pe_ocr_job_release (job);
      return;
    }

  worker = get_worker (self);
  if (worker->error != NULL)
    error = g_error_copy (worker->error);
  else
    result = pe_ocr_engine_recognize_take (worker->engine, g_steal_pointer (&job->pix),
                                           g_task_get_cancellable (job->task), &error);

  g_atomic_int_set (&job->state, JOB_DONE);
  if (result != NULL)
    g_task_return_pointer (job->task, g_steal_pointer (&result),
                           (GDestroyNotify) pe_ocr_result_unref);
  else
    g_task_return_error (job->task, g_steal_pointer (&error));

  pe_ocr_job_release (job);
}

/* May run in any thread (whichever cancels); the job stays alive until it is disconnected. */
static void
pe_ocr_job_cancelled (GCancellable *cancellable,
                      gpointer      data)
{
  PeOcrJob *job = data;

  /* A queued page would wait for a free worker before noticing; answer now. A running one is
   * stopped by the engine's monitor and answers itself. */
  if (g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_DONE))
    g_task_return_error_if_cancelled (job->task);
}

static void
pe_ocr_pool_constructed (GObject *object)
{
  PeOcrPool *self = (PeOcrPool *)object;
  g_autoptr(GError) error = NULL;

  G_OBJECT_CLASS (pe_ocr_pool_parent_class)->constructed (object);

  if (self->languages == NULL)
    self->languages = g_strdup ("deu");
  if (self->n_workers == 0)
    self->n_workers = MAX (1, g_get_num_processors ());

  /* Exclusive: the threads (and so the engines) stay with this pool instead of being shared
   * with, and recycled by, GLib's global thread pool. */
  self->threads = g_thread_pool_new (pe_ocr_pool_run_job, self, self->n_workers, TRUE, &error);
  if (error != NULL)
    g_warning ("Could not start all %u OCR workers: %s", self->n_workers, error->message);
}

static void
pe_ocr_pool_dispose (GObject *object)
{
  PeOcrPool *self = (PeOcrPool *)object;

  /* Every queued job holds a task that holds the pool, so nothing is queued by now; waiting
   * makes sure no worker still touches its engine when the engines are freed below. */
  if (self->threads != NULL)
    g_thread_pool_free (g_steal_pointer (&self->threads), FALSE, TRUE);

  g_mutex_lock (&self->workers_lock);
  g_hash_table_remove_all (self->workers);
  g_mutex_unlock (&self->workers_lock);

  G_OBJECT_CLASS (pe_ocr_pool_parent_class)->dispose (object);
}

static void
pe_ocr_pool_finalize (GObject *object)
{
  PeOcrPool *self = (PeOcrPool *)object;

  g_clear_pointer (&self->workers, g_hash_table_unref);
  g_mutex_clear (&self->workers_lock);
  g_clear_pointer (&self->languages, g_free);

  G_OBJECT_CLASS (pe_ocr_pool_parent_class)->finalize (object);
}

static void
pe_ocr_pool_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PeOcrPool *self = PE_OCR_POOL (object);

  switch (prop_id)
    {
    case PROP_LANGUAGES:
      g_value_set_string (value, self->languages);
      break;

    case PROP_N_WORKERS:
      g_value_set_uint (value, self->n_workers);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pe_ocr_pool_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PeOcrPool *self = PE_OCR_POOL (object);

  switch (prop_id)
    {
    case PROP_LANGUAGES:
      self->languages = g_value_dup_string (value);
      break;

    case PROP_N_WORKERS:
      self->n_workers = g_value_get_uint (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pe_ocr_pool_class_init (PeOcrPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pe_ocr_pool_constructed;
  object_class->dispose = pe_ocr_pool_dispose;
  object_class->finalize = pe_ocr_pool_finalize;
  object_class->get_property = pe_ocr_pool_get_property;
  object_class->set_property = pe_ocr_pool_set_property;

  properties [PROP_LANGUAGES] =
    g_param_spec_string ("languages", NULL, NULL,
                         "deu",
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /* 0 on construction: one per core. */
  properties [PROP_N_WORKERS] =
    g_param_spec_uint ("n-workers", NULL, NULL,
                       0, 1024, 0,
                       (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pe_ocr_pool_init (PeOcrPool *self)
{
  g_mutex_init (&self->workers_lock);
  self->workers = g_hash_table_new_full (NULL, NULL, NULL, pe_ocr_worker_free);
}

PeOcrPool *
pe_ocr_pool_new (const char *languages,
                 guint       n_workers)
{
  g_return_val_if_fail (languages != NULL, NULL);

  return g_object_new (PE_TYPE_OCR_POOL,
                       "languages", languages,
                       "n-workers", n_workers,
                       NULL);
}

guint
pe_ocr_pool_get_n_workers (PeOcrPool *self)
{
  g_return_val_if_fail (PE_IS_OCR_POOL (self), 0);

  return self->n_workers;
}

void
pe_ocr_pool_recognize_async (PeOcrPool           *self,
                             PIX                 *pix,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GError) error = NULL;
  PeOcrJob *job;

  g_return_if_fail (PE_IS_OCR_POOL (self));
  g_return_if_fail (pix != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  job = g_new0 (PeOcrJob, 1);
  job->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (job->task, pe_ocr_pool_recognize_async);
  g_task_set_name (job->task, "[pe-ocr-pool] recognize");
  /* The job's only reference: whichever thread finishes with the job frees it. */
  job->pix = pix;
  job->state = JOB_QUEUED;

  if (cancellable != NULL)
    job->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (pe_ocr_job_cancelled),
                                               job, NULL);

  /* Pushed even when already answered: the worker frees every job, so there is one owner. */
  if (!g_thread_pool_push (self->threads, job, &error))
    {
      if (g_atomic_int_compare_and_exchange (&job->state, JOB_QUEUED, JOB_DONE))
        g_task_return_new_error (job->task, PE_ERROR, PE_ERROR_OCR,
                                 _("Text recognition could not start a worker (%s). "
                                   "Close other programs and try again."),
                                 error->message);
      pe_ocr_job_release (job);
    }
}

PeOcrResult *
pe_ocr_pool_recognize_finish (PeOcrPool     *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (PE_IS_OCR_POOL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pe_ocr_pool_recognize_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
