/* pe-pipeline.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drives the stages over the batch store. Every step reads the state it starts from out of the
 * store and commits its result before the next one begins, so process() after a crash simply
 * continues: pages already read are not read again, documents already built are not rebuilt,
 * and the outbox never sends a document twice.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <tesseract/capi.h>

#include "pe-duplex.h"
#include "pe-error.h"
#include "pe-file-source.h"
#include "pe-fs.h"
#include "pe-image-read.h"
#include "pe-ocr-pool.h"
#include "pe-outbox.h"
#include "pe-page-clean.h"
#include "pe-pdfa-verify.h"
#include "pe-pipeline.h"
#include "pe-separator.h"
#include "pe-sidecar.h"
#include "pe-splitter.h"
#include "pe-sim-feeder.h"
#include "pe-sqlite-store.h"

struct _PePipeline
{
  GObject       parent_instance;

  char         *store_dir;
  PeStore      *store;
  GMainContext *context;     /* where signals are emitted */

  GMutex        lock;        /* guards the settings below and the pool */
  char         *languages;
  PePdfaLevel   level;
  char         *outbox_dir;
  PeOcrPool    *pool;
  PeCleanParams clean_params;
  PeSplitParams split_params;
  char         *separator_texts;  /* ';'-separated, NULL: the default ("PATCHT") */

  /* Acquisitions running, and process runs following them (guarded by lock): a process run
   * of a batch that is being scanned or imported picks up its pages as they are recorded. */
  GHashTable   *acquiring;   /* batch id (gint64 *) → number of scans/imports running */
  GPtrArray    *followers;   /* ProcessData * of the runs now in progress */
};

G_DEFINE_FINAL_TYPE (PePipeline, pe_pipeline, G_TYPE_OBJECT)

enum {
  PAGE_ADDED,
  PROGRESS,
  DOCUMENT_DELIVERED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* --- signals from worker threads --------------------------------------------------------- */

typedef struct
{
  PePipeline *self;
  guint       signal;
  gint64      a;
  gint64      b;
  char       *s1;
  char       *s2;
} Emission;

static void
emission_free (gpointer data)
{
  Emission *e = data;

  g_object_unref (e->self);
  g_free (e->s1);
  g_free (e->s2);
  g_free (e);
}

static gboolean
emit_in_context (gpointer data)
{
  Emission *e = data;

  switch (e->signal)
    {
    case PAGE_ADDED:
      g_signal_emit (e->self, signals[PAGE_ADDED], 0, e->a, e->b, e->s1);
      break;
    case PROGRESS:
      g_signal_emit (e->self, signals[PROGRESS], 0, e->s1, (guint) e->a, (guint) e->b);
      break;
    case DOCUMENT_DELIVERED:
      g_signal_emit (e->self, signals[DOCUMENT_DELIVERED], 0, e->s1, e->s2);
      break;
    default:
      g_assert_not_reached ();
    }

  return G_SOURCE_REMOVE;
}

static void
emit (PePipeline *self,
      guint       signal,
      gint64      a,
      gint64      b,
      const char *s1,
      const char *s2)
{
  Emission *e = g_new0 (Emission, 1);

  e->self = g_object_ref (self);
  e->signal = signal;
  e->a = a;
  e->b = b;
  e->s1 = g_strdup (s1);
  e->s2 = g_strdup (s2);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, emit_in_context, e,
                              emission_free);
}

static void
emit_progress (PePipeline *self,
               const char *stage,
               guint       done,
               guint       total)
{
  emit (self, PROGRESS, done, total, stage, NULL);
}

/* --- object ------------------------------------------------------------------------------ */

static void
pe_pipeline_finalize (GObject *object)
{
  PePipeline *self = (PePipeline *) object;

  g_clear_object (&self->pool);
  g_clear_object (&self->store);
  g_clear_pointer (&self->acquiring, g_hash_table_unref);
  g_clear_pointer (&self->followers, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->store_dir);
  g_free (self->languages);
  g_free (self->outbox_dir);
  g_free (self->separator_texts);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (pe_pipeline_parent_class)->finalize (object);
}

static void
pe_pipeline_class_init (PePipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pe_pipeline_finalize;

  signals[PAGE_ADDED] =
    g_signal_new ("page-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT64, G_TYPE_INT64, G_TYPE_STRING);
  signals[PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT, G_TYPE_UINT);
  signals[DOCUMENT_DELIVERED] =
    g_signal_new ("document-delivered", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
pe_pipeline_init (PePipeline *self)
{
  g_mutex_init (&self->lock);
  self->languages = g_strdup ("deu");
  self->level = PE_PDFA_2B;
  pe_clean_params_init_default (&self->clean_params);
  /* Separator sheets are put in for a reason; a stack without any stays one document. */
  pe_split_params_init_default (&self->split_params);
  self->split_params.mode = PE_SPLIT_SEPARATOR;
  self->outbox_dir = g_canonicalize_filename ("outbox", NULL);
  self->context = g_main_context_ref_thread_default ();
  self->acquiring = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->followers = g_ptr_array_new ();
}

PePipeline *
pe_pipeline_new (const char  *store_dir,
                 GError     **error)
{
  g_autoptr(PePipeline) self = NULL;
  PeSqliteStore *store;

  g_return_val_if_fail (store_dir != NULL, NULL);

  store = pe_sqlite_store_new (store_dir, error);
  if (store == NULL)
    return NULL;

  self = g_object_new (PE_TYPE_PIPELINE, NULL);
  self->store = PE_STORE (store);
  self->store_dir = g_strdup (pe_sqlite_store_get_dir (store));

  return g_steal_pointer (&self);
}

const char *
pe_pipeline_get_store_dir (PePipeline *self)
{
  g_return_val_if_fail (PE_IS_PIPELINE (self), NULL);
  return self->store_dir;
}

PeStore *
pe_pipeline_get_store (PePipeline *self)
{
  g_return_val_if_fail (PE_IS_PIPELINE (self), NULL);
  return self->store;
}

void
pe_pipeline_set_languages (PePipeline *self,
                           const char *languages)
{
  g_autoptr(GMutexLocker) locker = NULL;

  g_return_if_fail (PE_IS_PIPELINE (self));
  g_return_if_fail (languages != NULL && *languages != '\0');

  locker = g_mutex_locker_new (&self->lock);
  if (g_strcmp0 (self->languages, languages) == 0)
    return;
  g_free (self->languages);
  self->languages = g_strdup (languages);
  /* Workers are bound to their languages; the next run makes new ones. */
  g_clear_object (&self->pool);
}

void
pe_pipeline_set_pdfa_level (PePipeline  *self,
                            PePdfaLevel  level)
{
  g_return_if_fail (PE_IS_PIPELINE (self));

  g_mutex_lock (&self->lock);
  self->level = level;
  g_mutex_unlock (&self->lock);
}

void
pe_pipeline_release_ocr (PePipeline *self)
{
  g_autoptr(PeOcrPool) pool = NULL;

  g_return_if_fail (PE_IS_PIPELINE (self));

  g_mutex_lock (&self->lock);
  pool = g_steal_pointer (&self->pool);
  g_mutex_unlock (&self->lock);
  /* Unless a run still holds it, the pool goes here: its threads stop and the engines are
   * deleted in this thread before this returns. */
}

void
pe_pipeline_set_clean_params (PePipeline          *self,
                              const PeCleanParams *params)
{
  g_return_if_fail (PE_IS_PIPELINE (self));
  g_return_if_fail (params != NULL);

  g_mutex_lock (&self->lock);
  self->clean_params = *params;
  g_mutex_unlock (&self->lock);
}

gboolean
pe_pipeline_set_split (PePipeline          *self,
                       const PeSplitParams *params,
                       const char          *separator_texts,
                       GError             **error)
{
  PeSeparatorParams check;
  gboolean ok;

  g_return_val_if_fail (PE_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (params != NULL, FALSE);

  pe_separator_params_init_default (&check);
  ok = pe_separator_params_set_texts (&check, separator_texts, error);
  pe_separator_params_clear (&check);
  if (!ok)
    return FALSE;

  g_mutex_lock (&self->lock);
  self->split_params = *params;
  g_free (self->separator_texts);
  self->separator_texts = g_strdup (separator_texts);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

void
pe_pipeline_set_outbox_dir (PePipeline *self,
                            const char *dir)
{
  g_return_if_fail (PE_IS_PIPELINE (self));
  g_return_if_fail (dir != NULL);

  g_mutex_lock (&self->lock);
  g_free (self->outbox_dir);
  self->outbox_dir = g_canonicalize_filename (dir, NULL);
  g_mutex_unlock (&self->lock);
}

const char *
pe_pipeline_get_outbox_dir (PePipeline *self)
{
  g_return_val_if_fail (PE_IS_PIPELINE (self), NULL);
  return self->outbox_dir;
}

gint64
pe_pipeline_new_batch (PePipeline  *self,
                       const char  *label,
                       GError     **error)
{
  g_return_val_if_fail (PE_IS_PIPELINE (self), 0);
  return pe_store_create_batch (self->store, label, error);
}

/* --- acquisition ------------------------------------------------------------------------- */

static void wake_followers_locked (PePipeline *self,
                                   gint64      batch_id,
                                   gboolean    incomplete);

static void
acquisition_begin (PePipeline *self,
                   gint64      batch_id)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->acquiring, &batch_id));

  g_hash_table_insert (self->acquiring, g_memdup2 (&batch_id, sizeof batch_id),
                       GUINT_TO_POINTER (n + 1));
}

/* @complete: the acquisition read everything it was asked to (no fault, no cancel). */
static void
acquisition_end (PePipeline *self,
                 gint64      batch_id,
                 gboolean    complete)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->acquiring, &batch_id));

  if (n <= 1)
    g_hash_table_remove (self->acquiring, &batch_id);
  else
    g_hash_table_insert (self->acquiring, g_memdup2 (&batch_id, sizeof batch_id),
                         GUINT_TO_POINTER (n - 1));
  wake_followers_locked (self, batch_id, !complete);
}

static gboolean
acquisition_running (PePipeline *self,
                     gint64      batch_id)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->lock);

  return g_hash_table_contains (self->acquiring, &batch_id);
}

typedef struct
{
  PePipeline  *self;
  gint64       batch_id;
  guint        pages;
  const char  *stage;
  PeSheetFunc  sheet_func;
  gpointer     sheet_data;
  gboolean     ended;
  guint        sheet_base;  /* a scan's sheets are numbered on from the batch's last */
} AcquireData;

/* Called as the acquisition returns, before its caller hears of it: a process run following
 * the batch then finishes without waiting for the task to be freed. */
static void
acquire_data_end (AcquireData *ad,
                  gboolean     complete)
{
  if (!ad->ended)
    acquisition_end (ad->self, ad->batch_id, complete);
  ad->ended = TRUE;
}

static void
acquire_data_free (gpointer data)
{
  AcquireData *ad = data;

  acquire_data_end (ad, FALSE);
  g_object_unref (ad->self);
  g_free (ad);
}

static AcquireData *
acquire_data_new (PePipeline *self,
                  gint64      batch_id,
                  const char *stage)
{
  AcquireData *ad = g_new0 (AcquireData, 1);

  ad->self = g_object_ref (self);
  ad->batch_id = batch_id;
  ad->stage = stage;
  acquisition_begin (self, batch_id);
  return ad;
}

static guint
batch_last_sheet (PeStore *store,
                  gint64   batch_id)
{
  g_autoptr(GPtrArray) pages = pe_store_list_pages (store, batch_id, NULL);
  guint last = 0;

  for (guint i = 0; pages != NULL && i < pages->len; i++)
    last = MAX (last, ((PePageRecord *) g_ptr_array_index (pages, i))->sheet);
  return last;
}

/* Runs on the acquiring thread: the page is durable before the next one is read. */
static gboolean
record_page (PeAcquiredPage  *page,
             gpointer         user_data,
             GError         **error)
{
  AcquireData *ad = user_data;
  g_autoptr(PePageRecord) record = NULL;

  /* The pnm backend reports the resolution it was set to, not the file's; the simulated
   * scanner knows the true one. */
  if (ad->sheet_data != NULL && PE_IS_SIM_FEEDER (ad->sheet_data))
    pe_sim_feeder_fix_resolution (ad->sheet_data, page);

  /* Sheets count through the batch, so the separate stage knows which sides belong
   * together; an imported file's pages have no sheets (0: each page is one). */
  record = pe_store_add_scanned_page (ad->self->store, ad->batch_id, page->pix,
                                      page->original, page->original_ext, page->source,
                                      g_str_equal (ad->stage, "scan")
                                        ? ad->sheet_base + page->sheet : 0,
                                      page->back_side, error);
  if (record == NULL)
    return FALSE;

  ad->pages++;
  g_mutex_lock (&ad->self->lock);
  wake_followers_locked (ad->self, ad->batch_id, FALSE);
  g_mutex_unlock (&ad->self->lock);
  emit (ad->self, PAGE_ADDED, ad->batch_id, record->id, record->image_path, NULL);
  emit_progress (ad->self, ad->stage, ad->pages, 0);
  return TRUE;
}

/* The scanner hands one user_data to both callbacks; the caller's sheet data rides in ours. */
static char **
next_sheet (guint    sheet,
            gpointer user_data)
{
  AcquireData *ad = user_data;

  return ad->sheet_func (sheet, ad->sheet_data);
}

static void
scan_done (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  guint n;

  /* Pages were counted as they were recorded; the scanner's count is the same. */
  n = pe_scanner_scan_finish (PE_SCANNER (object), result, &error);
  acquire_data_end (g_task_get_task_data (task), error == NULL);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, n);
}

void
pe_pipeline_scan_async (PePipeline          *self,
                        gint64               batch_id,
                        PeScanner           *scanner,
                        const PeScanOptions *options,
                        PeSheetFunc          sheet_func,
                        gpointer             sheet_data,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  GTask *task;
  AcquireData *ad;

  g_return_if_fail (PE_IS_PIPELINE (self));
  g_return_if_fail (PE_IS_SCANNER (scanner));
  g_return_if_fail (options != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pe_pipeline_scan_async);
  ad = acquire_data_new (self, batch_id, "scan");
  g_task_set_task_data (task, ad, acquire_data_free);

  ad->sheet_func = sheet_func;
  ad->sheet_data = sheet_data;
  /* The backs pass of a manual duplex run turns over the sheets of the pass before it. */
  ad->sheet_base = batch_last_sheet (self->store, batch_id);
  ad->sheet_base -= MIN (ad->sheet_base, options->backs_of);

  pe_scanner_scan_async (scanner, options, sheet_func ? next_sheet : NULL, record_page, ad,
                         cancellable, scan_done, task);
}

/* The number of pages recorded, also when @error is set: those pages are kept. */
static guint
acquire_finish (GAsyncResult  *result,
                GError       **error)
{
  AcquireData *ad = g_task_get_task_data (G_TASK (result));

  g_task_propagate_int (G_TASK (result), error);
  return ad->pages;
}

guint
pe_pipeline_scan_finish (PePipeline    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return acquire_finish (result, error);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  AcquireData *ad = task_data;
  const char * const *paths = g_object_get_data (G_OBJECT (task), "paths");
  GError *error = NULL;

  for (guint i = 0; paths[i] != NULL; i++)
    {
      if (!pe_file_source_import (paths[i], 300, record_page, ad, cancellable, &error))
        break;
    }

  acquire_data_end (ad, error == NULL);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_int (task, ad->pages);
}

void
pe_pipeline_import_async (PePipeline          *self,
                          gint64               batch_id,
                          const char * const  *paths,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PE_IS_PIPELINE (self));
  g_return_if_fail (paths != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pe_pipeline_import_async);
  g_task_set_task_data (task, acquire_data_new (self, batch_id, "import"), acquire_data_free);
  g_object_set_data_full (G_OBJECT (task), "paths", g_strdupv ((char **) paths),
                          (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, import_thread);
}

guint
pe_pipeline_import_finish (PePipeline    *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  return acquire_finish (result, error);
}

static int
compare_seq (gconstpointer a,
             gconstpointer b)
{
  const PePageRecord *pa = *(PePageRecord **) a;
  const PePageRecord *pb = *(PePageRecord **) b;

  return (int) pa->seq - (int) pb->seq;
}

gboolean
pe_pipeline_collate_manual_duplex (PePipeline  *self,
                                   gint64       batch_id,
                                   guint        n_fronts,
                                   guint        n_backs,
                                   GError     **error)
{
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GPtrArray) docs = NULL;
  g_autofree guint *order = NULL;
  g_autofree gint64 *ids = NULL;
  guint n = n_fronts + n_backs;
  guint first;

  g_return_val_if_fail (PE_IS_PIPELINE (self), FALSE);

  pages = pe_store_list_pages (self->store, batch_id, error);
  if (pages == NULL || !(docs = pe_store_list_documents (self->store, batch_id, error)))
    return FALSE;
  if (docs->len > 0)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("The documents of batch %lld are already made, so its pages can no "
                     "longer be collated. Scan the stack into a new batch."),
                   (long long) batch_id);
      return FALSE;
    }
  if (n > pages->len)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("Batch %lld has %u pages, fewer than the %u fronts and backs to collate."),
                   (long long) batch_id, pages->len, n);
      return FALSE;
    }

  order = g_new0 (guint, n + 1);
  if (!pe_duplex_collate_order (n_fronts, n_backs, order, error))
    return FALSE;

  /* The passes are the last pages fed, whatever order earlier pages were put in. */
  g_ptr_array_sort (pages, compare_seq);
  first = pages->len - n;
  ids = g_new (gint64, n);
  for (guint i = 0; i < n; i++)
    ids[i] = ((PePageRecord *) g_ptr_array_index (pages, first + order[i]))->id;

  return pe_store_set_page_order (self->store, batch_id, ids, n, error);
}

/* --- processing -------------------------------------------------------------------------- */

typedef struct
{
  PePipeline       *self;
  gint64            batch_id;
  char             *languages;
  PePdfaLevel       level;
  char             *outbox_dir;
  PeOcrPool        *pool;
  GMainContext     *worker_context;
  PeProcessSummary  summary;

  /* OCR bookkeeping, only touched in the worker thread's own main context */
  guint             in_flight;    /* pages being cleaned or read */
  guint             tasks_alive;  /* OCR tasks not yet finalized */
  GAsyncQueue      *cleaned;      /* PageJob from the clean workers */
  GCancellable     *cancellable;
  PeCleanParams     clean_params;
  PeSeparatorParams separator_params;
  PeSplitParams     split_params;
  guint             ocr_done;
  guint             ocr_total;
  GError           *ocr_error;

  GHashTable       *page_counts;  /* document uuid → pages, for the summary */

  /* Following an acquisition: set (under the pipeline's lock) when a page of the batch was
   * recorded or the acquisition ended; the worker context is woken too. */
  gint              pages_added;
  gint              acquisition_incomplete;  /* it stopped early (fault, cancel): no documents */
  GHashTable       *submitted;    /* ids of the pages handed to the clean workers */
} ProcessData;

static void
wake_followers_locked (PePipeline *self,
                       gint64      batch_id,
                       gboolean    incomplete)
{
  for (guint i = 0; i < self->followers->len; i++)
    {
      ProcessData *pd = g_ptr_array_index (self->followers, i);

      if (pd->batch_id == batch_id)
        {
          if (incomplete)
            g_atomic_int_set (&pd->acquisition_incomplete, 1);
          g_atomic_int_set (&pd->pages_added, 1);
          g_main_context_wakeup (pd->worker_context);
        }
    }
}

static void
follow_begin (ProcessData *pd)
{
  g_mutex_lock (&pd->self->lock);
  g_ptr_array_add (pd->self->followers, pd);
  g_mutex_unlock (&pd->self->lock);
}

static void
follow_end (ProcessData *pd)
{
  g_mutex_lock (&pd->self->lock);
  g_ptr_array_remove (pd->self->followers, pd);
  g_mutex_unlock (&pd->self->lock);
}

static void
process_data_free (gpointer data)
{
  ProcessData *pd = data;

  g_object_unref (pd->self);
  g_clear_object (&pd->pool);
  g_clear_object (&pd->cancellable);
  g_clear_pointer (&pd->worker_context, g_main_context_unref);
  g_clear_error (&pd->ocr_error);
  g_clear_pointer (&pd->page_counts, g_hash_table_unref);
  g_clear_pointer (&pd->submitted, g_hash_table_unref);
  pe_separator_params_clear (&pd->separator_params);
  g_free (pd->languages);
  g_free (pd->outbox_dir);
  g_free (pd);
}

typedef struct
{
  ProcessData  *pd;
  PePageRecord *page;       /* borrowed from the run's page list */
  PIX          *ocr_input;  /* made by the clean worker, consumed in the process thread */
  gboolean      blank;
  gboolean      separator;   /* a separator sheet: not read, not in a document */
  /* thread CPU seconds */
  double        decode_cpu;  /* decoding the stored original */
  double        clean_cpu;   /* cleaning it and looking for separator codes */
  double        encode_cpu;  /* encoding it for the PDF */
  GError       *error;
} PageJob;

static void
page_job_free (PageJob *job)
{
  pixDestroy (&job->ocr_input);
  g_clear_error (&job->error);
  g_free (job);
}

static char *
clean_report_to_json (const PeCleanReport *r,
                      JsonNode            *codes)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "skew_deg");
  json_builder_add_double_value (b, r->skew_deg);
  json_builder_set_member_name (b, "rotation");
  json_builder_add_int_value (b, r->rotation);
  json_builder_set_member_name (b, "blank");
  json_builder_add_boolean_value (b, r->blank);
  json_builder_set_member_name (b, "ink_ratio");
  json_builder_add_double_value (b, r->ink_ratio);
  json_builder_set_member_name (b, "color");
  json_builder_add_string_value (b, pe_color_policy_to_string (r->chosen));
  json_builder_set_member_name (b, "border_edges");
  json_builder_add_int_value (b, r->n_border_edges);
  json_builder_set_member_name (b, "punch_holes");
  json_builder_add_int_value (b, r->n_punch_holes);
  json_builder_set_member_name (b, "steps");
  json_builder_begin_array (b);
  for (guint i = 0; r->steps != NULL && i < r->steps->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (r->steps, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "ms");
  json_builder_add_double_value (b, r->ms);
  if (codes != NULL)
    {
      json_builder_set_member_name (b, "codes");
      json_builder_add_value (b, json_node_ref (codes));
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);

  return json_to_string (root, FALSE);
}

/* Runs in a clean worker thread: the page is cleaned and committed before its text is read.
 * Tesseract gets the cleaned page in grey, not the bitonal one: on the degraded corpus it
 * reads it with less than half the errors (3.1 % against 5.5 %, bench/cleanup/README.md).
 * A page cleaned before a restart is cleaned again from its original, which is cheap next to
 * reading it, and gives the same result. */
static void
clean_worker (gpointer data,
              gpointer user_data)
{
  PageJob *job = data;
  ProcessData *pd = job->pd;
  PePageRecord *page = job->page;
  g_autoptr(GError) error = NULL;
  g_autoptr(PIX) original = NULL;
  g_autoptr(PIX) clean = NULL;
  g_autoptr(PIX) grey = NULL;
  g_autoptr(PePdfPage) pdf_page = NULL;
  g_autofree char *json = NULL;
  PeCleanReport report;
  double cpu;

  if (g_cancellable_set_error_if_cancelled (pd->cancellable, &error))
    goto out;

  cpu = pe_thread_cpu_seconds ();
  original = pe_store_read_image (page->image_path, &error);
  if (original == NULL)
    goto out;
  if (pixGetXRes (original) == 0)
    pixSetResolution (original, page->dpi, page->dpi);
  job->decode_cpu = pe_thread_cpu_seconds () - cpu;

  cpu = pe_thread_cpu_seconds ();
  pe_clean_report_init (&report);
  /* The original stays on disk; in memory it would only add a colour page to the cleanup's
   * and the encoding's: cleanup drops it as soon as it has rendered the clean pages. */
  clean = pe_page_clean_take (g_steal_pointer (&original), &pd->clean_params, &report, &grey,
                              &error);
  job->clean_cpu = pe_thread_cpu_seconds () - cpu;
  if (clean != NULL)
    {

      /* Encoded for the PDF once, here, from the page in memory: the document is later put
       * together from these bytes. Colour kept where cleanup found it carries information,
       * as mixed raster content, costs little more than a bitonal page. */
      cpu = pe_thread_cpu_seconds ();
      pdf_page = pe_pdf_page_new (clean, pixGetDepth (clean) == 32 ? PE_PDF_IMAGE_MRC
                                                                  : PE_PDF_IMAGE_AUTO,
                                  NULL, NULL, pd->cancellable, &error);
      job->encode_cpu = pe_thread_cpu_seconds () - cpu;
      if (pdf_page != NULL)
        {
          g_autoptr(GBytes) bytes = pe_pdf_page_serialize (pdf_page);
          g_autoptr(JsonNode) codes = NULL;
          PeSeparator separator;

          /* Separator sheets are found on the upright grey page; a page whose codes cannot
           * be read is simply not a separator. */
          cpu = pe_thread_cpu_seconds ();
          pe_separator_init (&separator);
          if (grey != NULL && !report.blank &&
              pe_separator_detect (grey, &pd->separator_params, &separator, NULL))
            {
              job->separator = separator.is_separator;
              if (separator.symbols->len > 0)
                codes = pe_separator_to_json (&separator);
            }
          pe_separator_clear (&separator);
          job->clean_cpu += pe_thread_cpu_seconds () - cpu;

          json = clean_report_to_json (&report, codes);
          job->blank = report.blank;
          if (pe_store_set_page_clean (pd->self->store, page->id, NULL, bytes, json,
                                       (report.blank ? PE_PAGE_FLAG_BLANK : 0) |
                                       (job->separator ? PE_PAGE_FLAG_SEPARATOR : 0),
                                       &error) &&
              !job->blank && !job->separator)
            job->ocr_input = g_steal_pointer (&grey);
        }
    }
  pe_clean_report_clear (&report);

out:
  job->error = g_steal_pointer (&error);
  g_async_queue_push (pd->cleaned, job);
  g_main_context_wakeup (pd->worker_context);
}

typedef struct
{
  ProcessData *pd;
  gint64       page_id;
} OcrJob;

static void
ocr_task_gone (gpointer  data,
               GObject  *where_the_task_was)
{
  ProcessData *pd = data;

  pd->tasks_alive--;
}

static void
page_read (ProcessData *pd)
{
  pd->ocr_done++;
  emit_progress (pd->self, "ocr", pd->ocr_done, pd->ocr_total);
}

static void
ocr_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  OcrJob *job = user_data;
  ProcessData *pd = job->pd;
  g_autoptr(GError) error = NULL;
  g_autoptr(PeOcrResult) ocr = NULL;

  ocr = pe_ocr_pool_recognize_finish (PE_OCR_POOL (object), result, &error);
  pd->in_flight--;
  /* The pool drops its last reference to a task (and through it to the pool) a little later,
   * in this context; wait for that too, or the pool outlives this run. */
  pd->tasks_alive++;
  g_object_weak_ref (G_OBJECT (result), ocr_task_gone, pd);

  if (ocr != NULL && pd->ocr_error == NULL)
    {
      g_autofree char *tsv = pe_ocr_result_to_tsv (ocr);

      pd->summary.tesseract_seconds += pe_ocr_result_get_cpu_seconds (ocr);
      if (pe_store_set_page_ocr (pd->self->store, job->page_id, tsv, pd->languages,
                                 pe_ocr_result_get_mean_confidence (ocr), &error))
        page_read (pd);
    }
  if (error != NULL && pd->ocr_error == NULL)
    pd->ocr_error = g_steal_pointer (&error);

  g_free (job);
}

/* In the process thread: a cleaned page goes on to recognition; a blank page or a separator
 * sheet has nothing to read and is recorded as read. */
static void
page_cleaned (ProcessData   *pd,
              PageJob       *job,
              GCancellable  *cancellable)
{
  pd->in_flight--;
  pd->summary.decode_seconds += job->decode_cpu;
  pd->summary.clean_seconds += job->clean_cpu;
  pd->summary.encode_seconds += job->encode_cpu;

  if (job->error != NULL || pd->ocr_error != NULL)
    {
      if (pd->ocr_error == NULL)
        pd->ocr_error = g_steal_pointer (&job->error);
    }
  else if (job->blank || job->separator)
    {
      g_autoptr(PeOcrResult) empty = pe_ocr_result_new (job->page->width, job->page->height);
      g_autofree char *tsv = pe_ocr_result_to_tsv (empty);

      if (pe_store_set_page_ocr (pd->self->store, job->page->id, tsv, pd->languages, 0,
                                 &pd->ocr_error))
        page_read (pd);
    }
  else
    {
      OcrJob *ocr = g_new0 (OcrJob, 1);

      ocr->pd = pd;
      ocr->page_id = job->page->id;
      pd->in_flight++;
      pe_ocr_pool_recognize_async (pd->pool, g_steal_pointer (&job->ocr_input), cancellable,
                                   ocr_done_cb, ocr);
    }

  page_job_free (job);
}

static gboolean
take_cleaned (ProcessData  *pd,
              GCancellable *cancellable)
{
  PageJob *job;
  gboolean any = FALSE;

  while ((job = g_async_queue_try_pop (pd->cleaned)) != NULL)
    {
      page_cleaned (pd, job, cancellable);
      any = TRUE;
    }
  return any;
}

/* Waits for the next event: a cleaned page (the worker wakes this context) or an OCR result. */
static void
iterate (ProcessData   *pd,
         GCancellable  *cancellable)
{
  if (take_cleaned (pd, cancellable))
    return;
  g_main_context_iteration (pd->worker_context, TRUE);
  take_cleaned (pd, cancellable);
}

static void
wake_on_cancel (GCancellable *cancellable,
                gpointer      user_data)
{
  g_main_context_wakeup (user_data);
}

/* Pages recorded since @pages was listed join its end (it owns them). */
static gboolean
take_new_pages (ProcessData  *pd,
                GPtrArray    *pages,
                GError      **error)
{
  g_autoptr(GPtrArray) now = pe_store_list_pages (pd->self->store, pd->batch_id, error);

  if (now == NULL)
    return FALSE;
  for (guint i = 0; i < now->len; i++)
    {
      PePageRecord *page = g_ptr_array_index (now, i);

      if (page->state < PE_PAGE_OCR_DONE && !g_hash_table_contains (pd->submitted, &page->id))
        {
          g_ptr_array_add (pages, page);
          g_ptr_array_index (now, i) = NULL;
          pd->ocr_total++;
        }
    }
  return TRUE;
}

/* Clean and read every page not yet read, and while a scan or import of the batch is running,
 * the pages it records. Cleanup runs on its own worker ahead of recognition, so while
 * Tesseract works the next page is already being cleaned; one page per OCR worker and one more
 * are in memory at any time, whatever the batch size (each further page waiting costs its grey
 * copy and, through the allocator, much more: 266 → 227 MB peak on 20 pages). */
static gboolean
run_pages (ProcessData   *pd,
           GPtrArray     *pages,
           GCancellable  *cancellable,
           GError       **error)
{
  guint n_workers = pe_ocr_pool_get_n_workers (pd->pool);
  guint max_in_flight = n_workers + 1;
  gint64 start = g_get_monotonic_time ();
  GThreadPool *cleaners;
  gulong cancel_id = 0;
  guint next = 0;

  for (guint i = 0; i < pages->len; i++)
    if (((PePageRecord *) g_ptr_array_index (pages, i))->state < PE_PAGE_OCR_DONE)
      pd->ocr_total++;

  pd->cleaned = g_async_queue_new ();
  /* Cleaning and encoding a page takes about a third of the time reading it does, so one
   * cleaner keeps two OCR workers busy; every cleaner more holds another full-size colour
   * page and its temporaries in memory. */
  cleaners = g_thread_pool_new (clean_worker, pd, MAX (1, (n_workers + 1) / 2), FALSE, NULL);
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (wake_on_cancel),
                                       g_main_context_ref (pd->worker_context),
                                       (GDestroyNotify) g_main_context_unref);

  while (pd->ocr_error == NULL)
    {
      gboolean acquiring;

      for (; next < pages->len && pd->ocr_error == NULL; next++)
        {
          PePageRecord *page = g_ptr_array_index (pages, next);
          PageJob *job;

          if (page->state >= PE_PAGE_OCR_DONE ||
              !g_hash_table_add (pd->submitted, g_memdup2 (&page->id, sizeof page->id)))
            continue;

          while (pd->in_flight >= max_in_flight && pd->ocr_error == NULL)
            iterate (pd, cancellable);
          if (pd->ocr_error != NULL)
            break;

          job = g_new0 (PageJob, 1);
          job->pd = pd;
          job->page = page;
          pd->in_flight++;
          g_thread_pool_push (cleaners, job, NULL);
        }
      if (pd->ocr_error != NULL)
        break;

      /* Read before the flag: a page recorded just before the acquisition ended has set it. */
      acquiring = acquisition_running (pd->self, pd->batch_id);
      if (g_atomic_int_compare_and_exchange (&pd->pages_added, 1, 0))
        {
          if (!take_new_pages (pd, pages, &pd->ocr_error))
            break;
          continue;
        }
      if (!acquiring)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, &pd->ocr_error))
        break;
      iterate (pd, cancellable);
    }

  while (pd->in_flight > 0 || pd->tasks_alive > 0)
    iterate (pd, cancellable);

  g_cancellable_disconnect (cancellable, cancel_id);
  g_thread_pool_free (cleaners, FALSE, TRUE);
  g_clear_pointer (&pd->cleaned, g_async_queue_unref);
  pd->summary.ocr_seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  if (pd->ocr_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&pd->ocr_error));
      return FALSE;
    }
  return TRUE;
}

static char *
document_metadata_json (ProcessData      *pd,
                        PeDocumentRecord *doc)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *engine = g_strdup_printf ("tesseract %s", TessVersion ());
  JsonObject *obj;

  if (!json_parser_load_from_data (parser, doc->metadata_json ? doc->metadata_json : "{}", -1,
                                   NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    json_parser_load_from_data (parser, "{}", -1, NULL);

  obj = json_node_get_object (json_parser_get_root (parser));
  json_object_set_string_member (obj, "pdfa", pe_pdfa_level_to_string (pd->level));
  json_object_set_string_member (obj, "languages", pd->languages);
  json_object_set_string_member (obj, "ocr_engine", engine);
  json_generator_set_root (gen, json_parser_get_root (parser));

  return json_generator_to_data (gen, NULL);
}

static const char *
json_string (JsonObject *obj,
             const char *member)
{
  return json_object_get_string_member_with_default (obj, member, NULL);
}

/* The page as the clean worker encoded it; a page cleaned by an older version (no stored PDF
 * page) is encoded from its cleaned image, or from the original. The text boxes refer to the
 * cleaned page, which is what was read. */
static PePdfPage *
load_pdf_page (PePageRecord  *page,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(PIX) pix = NULL;

  if (page->pdf_page_path != NULL)
    {
      g_autoptr(GMappedFile) map = g_mapped_file_new (page->pdf_page_path, FALSE, error);
      g_autoptr(GBytes) bytes = NULL;

      if (map == NULL)
        return NULL;
      bytes = g_mapped_file_get_bytes (map);
      return pe_pdf_page_new_from_bytes (bytes, error);
    }

  pix = pe_store_read_image (page->clean_image_path ? page->clean_image_path
                                                    : page->image_path, error);
  if (pix == NULL)
    return NULL;
  if (pixGetXRes (pix) == 0)
    pixSetResolution (pix, page->dpi, page->dpi);
  return pe_pdf_page_new (pix, pixGetDepth (pix) == 32 ? PE_PDF_IMAGE_MRC : PE_PDF_IMAGE_AUTO,
                          NULL, NULL, cancellable, error);
}

static gboolean
build_pdf (ProcessData       *pd,
           PeDocumentRecord  *doc,
           GPtrArray         *pages,
           GCancellable      *cancellable,
           GError           **error)
{
  g_autofree char *name = g_strdup_printf ("%s.pdf", doc->uuid);
  g_autofree char *path = g_build_filename (pd->self->store_dir, "documents", name, NULL);
  g_autofree char *metadata = document_metadata_json (pd, doc);
  g_autofree char *sha = NULL;
  g_autoptr(PePdfaWriter) writer = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) attachment = NULL;
  JsonObject *mo;
  PePdfMetadata md = { 0 };

  writer = pe_pdfa_writer_new (pd->level, path, error);
  if (writer == NULL)
    return FALSE;

  for (guint i = 0; i < doc->page_ids->len; i++)
    {
      PePageRecord *page = pe_page_records_find (pages, g_array_index (doc->page_ids, gint64, i));
      g_autoptr(PePdfPage) pdf_page = NULL;
      g_autoptr(PeOcrResult) ocr = NULL;

      g_assert (page != NULL);
      pdf_page = load_pdf_page (page, cancellable, error);
      if (pdf_page == NULL)
        return FALSE;
      if (page->ocr_tsv != NULL)
        {
          ocr = pe_ocr_result_new_from_tsv (page->ocr_tsv, error);
          if (ocr == NULL)
            return FALSE;
        }
      if (!pe_pdfa_writer_add_pdf_page (writer, pdf_page, ocr, cancellable, error))
        return FALSE;
    }

  json_parser_load_from_data (parser, metadata, -1, NULL);
  mo = json_node_get_object (json_parser_get_root (parser));
  md.document_id = doc->uuid;
  md.title = json_string (mo, "title");
  md.sender = json_string (mo, "sender");
  md.letter_date = json_string (mo, "letter_date");
  md.document_type = json_string (mo, "document_type");
  md.case_reference = json_string (mo, "case_reference");
  md.org_unit = json_string (mo, "org_unit");
  md.intake_date = json_string (mo, "intake_date");
  md.languages = pd->languages;
  /* PDF/A-3b carries the sidecar's metadata inside (without the file's own hash). */
  if (pd->level == PE_PDFA_3B)
    {
      g_autofree char *xml = NULL;
      gsize len;

      g_free (doc->metadata_json);
      doc->metadata_json = g_strdup (metadata);
      xml = pe_sidecar_build_xml (pd->self->store, doc, FALSE, error);
      if (xml == NULL)
        return FALSE;
      len = strlen (xml);
      attachment = g_bytes_new_take (g_steal_pointer (&xml), len);
      md.attachment_xml = attachment;
      md.attachment_name = "posteingang-metadata.xml";
    }
  if (!pe_pdfa_writer_finish (writer, &md, error))
    return FALSE;

  /* A file that is not what we meant to write is never delivered as PDF/A. */
  {
    g_autoptr(GError) local_error = NULL;
    PePdfaLevel level;
    guint n_pages = 0;

    if (!pe_pdfa_verify_structure (path, &level, &n_pages, &local_error) ||
        level != pd->level || n_pages != doc->page_ids->len)
      {
        g_unlink (path);
        g_set_error (error, PE_ERROR, PE_ERROR_PDF,
                     _("The PDF/A file of document %s failed its check and is not delivered "
                       "(%s). Process the batch again."), doc->uuid,
                     local_error ? local_error->message : _("level or page count differ"));
        return FALSE;
      }
  }

  sha = pe_fs_sha256_file (path, error);
  if (sha == NULL)
    return FALSE;

  return pe_store_set_document_pdf (pd->self->store, doc->id, path, sha, metadata, error);
}

static char *
today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

static char *
document_metadata (const char *date,
                   guint       index,
                   guint       count)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *title = NULL;

  if (count > 1)
    /* TRANSLATORS: a document's title: the intake date, its number and how many there are */
    title = g_strdup_printf (_("Incoming mail of %s, %u of %u"), date, index, count);
  else
    title = g_strdup_printf (_("Incoming mail of %s"), date);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, title);
  json_builder_set_member_name (b, "intake_date");
  json_builder_add_string_value (b, date);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return json_to_string (root, FALSE);
}

/* The batch's documents, made the first time from its pages in reading order by the separate
 * stage (separator sheets, blank sheets or a page count). Blank pages (duplex backs) and
 * separator sheets stay in the batch, marked, but are in no document. */
static GPtrArray *
ensure_documents (ProcessData  *pd,
                  GPtrArray    *pages,
                  GError      **error)
{
  g_autoptr(GPtrArray) docs = pe_store_list_documents (pd->self->store, pd->batch_id, error);
  g_autoptr(GPtrArray) split = NULL;
  g_autofree PeSplitPage *sp = NULL;
  g_autofree char *date = today ();

  if (docs == NULL || docs->len > 0)
    return g_steal_pointer (&docs);

  sp = g_new0 (PeSplitPage, pages->len + 1);
  for (guint i = 0; i < pages->len; i++)
    {
      PePageRecord *page = g_ptr_array_index (pages, i);

      sp[i].id = page->id;
      sp[i].blank = page->blank;
      sp[i].separator = page->separator;
      sp[i].back_side = page->back_side;
      sp[i].sheet = page->sheet;
    }
  split = pe_split_documents (sp, pages->len, &pd->split_params);

  for (guint i = 0; i < split->len; i++)
    {
      GArray *ids = g_ptr_array_index (split, i);
      g_autofree char *json = document_metadata (date, i + 1, split->len);
      PeDocumentRecord *doc;

      doc = pe_store_create_document (pd->self->store, pd->batch_id, (gint64 *) ids->data,
                                      ids->len, json, error);
      if (doc == NULL)
        return NULL;
      g_ptr_array_add (docs, doc);
    }
  return g_steal_pointer (&docs);
}

static void
delivered_cb (const char *document_id,
              const char *target,
              gpointer    user_data)
{
  ProcessData *pd = user_data;
  g_autofree char *name = g_strdup_printf ("%s.pdf", document_id);
  g_autofree char *pdf = NULL;

  if (g_str_has_prefix (target, "folder:"))
    pdf = g_build_filename (target + strlen ("folder:"), name, NULL);
  pd->summary.documents++;
  pd->summary.pages += GPOINTER_TO_UINT (g_hash_table_lookup (pd->page_counts, document_id));
  emit (pd->self, DOCUMENT_DELIVERED, 0, 0, document_id, pdf);
}

static void
process_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ProcessData *pd = task_data;
  PePipeline *self = pd->self;
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GPtrArray) docs = NULL;
  g_autoptr(GError) first_error = NULL;
  g_autofree char *target = g_strconcat ("folder:", pd->outbox_dir, NULL);
  GError *error = NULL;
  gint64 start = g_get_monotonic_time ();
  gint64 pdf_start;
  PeOutboxRun run;
  guint built = 0;

  /* Following before listing: a page recorded in between sets the flag. */
  follow_begin (pd);
  pages = pe_store_list_pages (self->store, pd->batch_id, &error);
  if (pages == NULL)
    goto fail;
  if (pages->len == 0 && !acquisition_running (self, pd->batch_id))
    {
      g_set_error (&error, PE_ERROR, PE_ERROR_INVALID,
                   _("Batch %lld has no pages. Scan or import pages first."),
                   (long long) pd->batch_id);
      goto fail;
    }

  /* The OCR pool's callbacks come back to this thread's own context. */
  g_main_context_push_thread_default (pd->worker_context);
  run_pages (pd, pages, cancellable, &error);
  g_main_context_pop_thread_default (pd->worker_context);
  follow_end (pd);
  /* The rest of the stack is still in the scanner or not yet imported: the pages read so far
   * are kept and read, but a document of half a stack is not made. */
  if (error == NULL && g_atomic_int_get (&pd->acquisition_incomplete))
    g_set_error (&error, PE_ERROR, PE_ERROR_INVALID,
                 _("The scan or import of batch %lld stopped early. Its pages so far are kept "
                   "and read; continue the batch, then process it again."),
                 (long long) pd->batch_id);
  /* The task may be freed on this thread after the caller is gone; the pipeline keeps the
   * pool, and frees it where it is finalized. */
  g_clear_object (&pd->pool);
  if (error != NULL)
    goto fail;

  /* Re-read: the pages now carry their OCR. */
  g_clear_pointer (&pages, g_ptr_array_unref);
  pages = pe_store_list_pages (self->store, pd->batch_id, &error);
  if (pages == NULL)
    goto fail;
  docs = ensure_documents (pd, pages, &error);
  if (docs == NULL)
    goto fail;

  pdf_start = g_get_monotonic_time ();
  for (guint i = 0; i < docs->len; i++)
    {
      PeDocumentRecord *doc = g_ptr_array_index (docs, i);

      if (g_cancellable_set_error_if_cancelled (cancellable, &error))
        goto fail;
      /* Built before a crash, but the file is gone: build again. */
      if (doc->state >= PE_DOCUMENT_BUILT &&
          (doc->pdf_path == NULL || !g_file_test (doc->pdf_path, G_FILE_TEST_EXISTS)) &&
          doc->state < PE_DOCUMENT_DELIVERED)
        doc->state = PE_DOCUMENT_READY;
      if (doc->state < PE_DOCUMENT_BUILT)
        {
          if (!build_pdf (pd, doc, pages, cancellable, &error))
            goto fail;
        }
      emit_progress (self, "pdf", ++built, docs->len);
      if (doc->state < PE_DOCUMENT_QUEUED &&
          !pe_store_outbox_enqueue (self->store, doc->id, target, &error))
        goto fail;
      g_hash_table_insert (pd->page_counts, g_strdup (doc->uuid),
                           GUINT_TO_POINTER (doc->page_ids->len));
    }
  pd->summary.pdf_seconds = (g_get_monotonic_time () - pdf_start) / (double) G_USEC_PER_SEC;

  if (!pe_outbox_deliver_due (self->store, delivered_cb, pd, &run, &first_error, cancellable,
                              &error))
    goto fail;
  emit_progress (self, "deliver", run.delivered, run.delivered + run.remaining);
  pd->summary.seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  if (first_error != NULL)
    {
      g_set_error (&error, PE_ERROR, PE_ERROR_DELIVERY,
                   _("%u document(s) could not be delivered and stay in the outbox; they will "
                     "be retried: %s"), run.failed, first_error->message);
      goto fail;
    }

  g_task_return_boolean (task, TRUE);
  return;

fail:
  follow_end (pd);
  pd->summary.seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  g_task_return_error (task, error);
}

void
pe_pipeline_process_async (PePipeline          *self,
                           gint64               batch_id,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ProcessData *pd;

  g_return_if_fail (PE_IS_PIPELINE (self));

  pd = g_new0 (ProcessData, 1);
  pd->self = g_object_ref (self);
  pd->batch_id = batch_id;
  pd->worker_context = g_main_context_new ();
  pd->page_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  pd->submitted = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  pd->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  pe_separator_params_init_default (&pd->separator_params);
  g_mutex_lock (&self->lock);
  pd->clean_params = self->clean_params;
  pd->split_params = self->split_params;
  /* Checked when it was set. */
  pe_separator_params_set_texts (&pd->separator_params, self->separator_texts, NULL);
  pd->languages = g_strdup (self->languages);
  pd->level = self->level;
  pd->outbox_dir = g_strdup (self->outbox_dir);
  if (self->pool == NULL)
    self->pool = pe_ocr_pool_new (self->languages, 0);
  pd->pool = g_object_ref (self->pool);
  g_mutex_unlock (&self->lock);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pe_pipeline_process_async);
  g_task_set_task_data (task, pd, process_data_free);
  g_task_run_in_thread (task, process_thread);
}

gboolean
pe_pipeline_process_finish (PePipeline        *self,
                            GAsyncResult      *result,
                            PeProcessSummary  *summary,
                            GError           **error)
{
  ProcessData *pd;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  pd = g_task_get_task_data (G_TASK (result));
  if (summary != NULL)
    *summary = pd->summary;

  return g_task_propagate_boolean (G_TASK (result), error);
}
