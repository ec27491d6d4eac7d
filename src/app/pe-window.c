/* pe-window.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "pe-device-item.h"
#include "pe-error.h"
#include "pe-page-item.h"
#include "pe-sane-device.h"
#include "pe-scan-profile.h"
#include "pe-scanner.h"
#include "pe-settings.h"
#include "pe-window.h"

/* Thumbnails are decoded at twice the tile size so they stay sharp on HiDPI screens. */
#define THUMBNAIL_WIDTH  (2 * 150)
#define THUMBNAIL_HEIGHT (2 * 212)

typedef enum
{
  TASK_NONE,
  TASK_SCAN,
  TASK_IMPORT,
  TASK_SEND,
} WindowTask;

struct _PeWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  PePipeline           *pipeline;
  GError               *pipeline_error;
  GListStore           *devices;
  GListStore           *pages;
  PeScanner            *scanner;
  GCancellable         *devices_cancellable;
  GCancellable         *task_cancellable;
  GCancellable         *process_cancellable;
  GCancellable         *thumbnail_cancellable;
  GCancellable         *restore_cancellable;
  GtkFileChooserNative *import_chooser;
  /* PeScanProfile *, in the order of the profile drop-down after its "Manual settings". */
  GPtrArray            *profiles;
  GtkStringList        *profile_names;

  /* PeScanOptions and the import only borrow their strings; they live here until the
   * operation finishes. */
  PeScanOptions         scan_options;
  PeScanProfile        *scan_profile;
  char                 *scan_source;
  char                 *scan_mode;
  char                **import_paths;

  /* Simulated scanner (pe_window_set_sim_feeders()). */
  PeSimFeeder          *sim_fronts;
  PeSimFeeder          *sim_backs;

  /* A task can have up to three parts at once or in turn: the scan, the processing (text
   * recognition, PDF/A, delivery) and the collation of a manual duplex run. Their results wait
   * here until every part has ended, then task_part_done() reports them together. */
  GError               *scan_error;
  GError               *process_error;
  PeProcessSummary      summary;
  guint                 scan_pages;
  /* Manual duplex: sheets of the fronts pass, while the backs pass is still to come or runs. */
  guint                 duplex_fronts;

  /* The progress bar follows at most once a frame; a fast scanner reports more often. */
  guint                 progress_tick;
  double                pending_fraction;
  /* While a scan and text recognition run at once, the subtitle names both. */
  char                 *scan_text;
  char                 *ocr_text;

  gint64                batch_id;
  WindowTask            task;
  guint                 scanning : 1;
  guint                 processing : 1;
  guint                 processed : 1;      /* a process run belongs to this task */
  guint                 collating : 1;
  guint                 duplex_run : 1;     /* the scan is a manual duplex fronts pass */
  guint                 backs_pass : 1;     /* the scan is the backs pass */
  guint                 listing_devices : 1;
  guint                 replacing_devices : 1;
  guint                 replacing_profiles : 1;

  /* template */
  AdwToastOverlay      *toast_overlay;
  AdwWindowTitle       *window_title;
  GtkStack             *device_stack;
  GtkDropDown          *device_drop_down;
  GtkDropDown          *profile_drop_down;
  GtkStack             *refresh_stack;
  GtkStack             *scan_stack;
  GtkButton            *scan_button;
  GtkButton            *cancel_button;
  GtkProgressBar       *progress_bar;
  GtkStack             *content_stack;
  AdwStatusPage        *status_page;
  GtkGridView          *page_grid;
};

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (PeWindow, pe_window, ADW_TYPE_APPLICATION_WINDOW)

static GParamSpec *properties [N_PROPS];

static void
update_actions (PeWindow *self)
{
  gboolean idle = self->task == TASK_NONE && self->pipeline != NULL;
  gboolean have_device = gtk_drop_down_get_selected_item (self->device_drop_down) != NULL;
  guint n_pages = g_list_model_get_n_items (G_LIST_MODEL (self->pages));

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.scan", idle && have_device);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.continue-batch",
                                 idle && have_device && self->batch_id > 0 && n_pages > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.scan-backs",
                                 idle && have_device && self->duplex_fronts > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-batch",
                                 idle && self->batch_id > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import", idle);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.send", idle && n_pages > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", self->task != TASK_NONE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.refresh-devices",
                                 !self->listing_devices && self->task != TASK_SCAN);

  /* The scan in progress keeps its device and profile; choosing another would only mislead. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->device_drop_down), self->task != TASK_SCAN);
  gtk_widget_set_sensitive (GTK_WIDGET (self->profile_drop_down), self->task == TASK_NONE);
}

static void
update_subtitle (PeWindow *self)
{
  guint n_pages = g_list_model_get_n_items (G_LIST_MODEL (self->pages));
  g_autofree char *subtitle = NULL;

  if (self->task != TASK_NONE)
    return;

  if (n_pages > 0)
    /* Translators: window subtitle, the pages in the current batch */
    subtitle = g_strdup_printf (ngettext ("%u page in this batch", "%u pages in this batch",
                                          n_pages), n_pages);

  adw_window_title_set_subtitle (self->window_title, subtitle ? subtitle : "");
}

static void
update_content (PeWindow *self)
{
  gboolean have_pages = g_list_model_get_n_items (G_LIST_MODEL (self->pages)) > 0;

  gtk_stack_set_visible_child_name (self->content_stack, have_pages ? "pages" : "empty");
  update_subtitle (self);
  update_actions (self);
}

static gboolean
progress_tick_cb (GtkWidget     *widget,
                  GdkFrameClock *clock,
                  gpointer       user_data)
{
  PeWindow *self = PE_WINDOW (widget);

  /* A negative fraction: the amount of work is not known yet. */
  if (self->pending_fraction < 0)
    gtk_progress_bar_pulse (self->progress_bar);
  else
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (self->pending_fraction, 0.0, 1.0));

  self->progress_tick = 0;
  return G_SOURCE_REMOVE;
}

static void
set_progress (PeWindow   *self,
              double      fraction,
              const char *text)
{
  /* Every change of the bar or the subtitle relayouts the window (on X11 with round trips to
   * the server); a scanner reports many times a page, the screen needs it once a frame. */
  self->pending_fraction = fraction;
  if (self->progress_tick == 0)
    self->progress_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self), progress_tick_cb,
                                                        NULL, NULL);

  if (text != NULL &&
      g_strcmp0 (adw_window_title_get_subtitle (self->window_title), text) != 0)
    adw_window_title_set_subtitle (self->window_title, text);
}

/* Scanning and reading at once: "Scanning page 7… · Recognising text: page 4 of 6…". */
static void
show_scan_and_ocr_text (PeWindow *self)
{
  g_autofree char *text = NULL;

  if (self->scan_text != NULL && self->ocr_text != NULL)
    /* Translators: the two progress messages while scanning and reading at once */
    text = g_strdup_printf (_("%s · %s"), self->scan_text, self->ocr_text);

  set_progress (self, self->pending_fraction,
                text != NULL ? text : self->scan_text != NULL ? self->scan_text
                                                               : self->ocr_text);
}

static void
begin_task (PeWindow   *self,
            WindowTask  task,
            const char *text)
{
  g_assert (self->task == TASK_NONE);
  g_assert (task != TASK_NONE);

  self->task = task;
  g_clear_object (&self->task_cancellable);
  self->task_cancellable = g_cancellable_new ();

  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), TRUE);
  gtk_stack_set_visible_child (self->scan_stack, GTK_WIDGET (self->cancel_button));
  adw_window_title_set_subtitle (self->window_title, text);

  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

static void
end_task (PeWindow *self)
{
  g_assert (self->task != TASK_NONE);

  self->task = TASK_NONE;
  g_clear_object (&self->task_cancellable);
  g_clear_object (&self->process_cancellable);
  /* The scan's options and the processing borrowed from it until now. */
  g_clear_object (&self->scan_profile);
  g_clear_pointer (&self->scan_text, g_free);
  g_clear_pointer (&self->ocr_text, g_free);
  if (self->progress_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->progress_tick);
      self->progress_tick = 0;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  gtk_stack_set_visible_child (self->scan_stack, GTK_WIDGET (self->scan_button));

  update_content (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

static void
show_toast (PeWindow   *self,
            const char *title)
{
  AdwToast *toast = adw_toast_new (title);

  adw_toast_set_timeout (toast, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Errors that need the user to act (a jammed feeder, a full disk) get a dialog; the GError
 * message from the core is already translated and says what to do. */
static void
show_error (PeWindow     *self,
            const char   *heading,
            const GError *error)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, error->message);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
scan_error_response_cb (PeWindow         *self,
                        const char       *response,
                        AdwMessageDialog *dialog)
{
  if (g_str_equal (response, "continue"))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.continue-batch", NULL);
}

/* A scan that stopped part way (a jam, a double feed) keeps its pages; once the user has
 * cleared the feeder, the rest of the stack goes into the same batch. */
static void
show_scan_error (PeWindow     *self,
                 const GError *error)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Scanning Failed"), error->message);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("_Close"),
                                    "continue", _("_Continue Batch"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "continue",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "continue");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_signal_connect_object (dialog, "response", G_CALLBACK (scan_error_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static PeScanProfile *
get_selected_profile (PeWindow *self)
{
  guint selected = gtk_drop_down_get_selected (self->profile_drop_down);

  /* Position 0 is "Manual settings". */
  if (selected == GTK_INVALID_LIST_POSITION || selected == 0 || selected > self->profiles->len)
    return NULL;

  return g_ptr_array_index (self->profiles, selected - 1);
}

static void
select_profile_from_settings (PeWindow *self)
{
  g_autofree char *id = g_settings_get_string (self->settings, "profile");
  guint selected = 0;

  for (guint i = 0; i < self->profiles->len; i++)
    if (g_str_equal (pe_scan_profile_get_id (g_ptr_array_index (self->profiles, i)), id))
      selected = i + 1;

  /* A profile removed from profiles.ini falls back to the manual settings, but the key keeps
   * its id: the profile comes back when the file is fixed. */
  self->replacing_profiles = TRUE;
  gtk_drop_down_set_selected (self->profile_drop_down, selected);
  self->replacing_profiles = FALSE;
}

/* A few small keyfiles, read once when the window opens: cheap enough for the main thread. */
static void
load_profiles (PeWindow *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  self->profiles = pe_scan_profile_load_all (&error);
  if (self->profiles == NULL)
    {
      g_autofree char *text = NULL;

      /* Translators: %s names the file, the profile and the key that is wrong */
      text = g_strdup_printf (_("Scan profiles not loaded: %s"), error->message);
      show_toast (self, text);
      self->profiles = g_ptr_array_new_with_free_func (g_object_unref);
    }

  self->replacing_profiles = TRUE;
  self->profile_names = gtk_string_list_new (NULL);
  gtk_string_list_append (self->profile_names, _("Manual settings"));
  for (guint i = 0; i < self->profiles->len; i++)
    gtk_string_list_append (self->profile_names,
                            pe_scan_profile_get_name (g_ptr_array_index (self->profiles, i)));
  gtk_drop_down_set_model (self->profile_drop_down, G_LIST_MODEL (self->profile_names));
  self->replacing_profiles = FALSE;

  select_profile_from_settings (self);
}

static void
profile_selected_cb (PeWindow    *self,
                     GParamSpec  *pspec,
                     GtkDropDown *drop_down)
{
  PeScanProfile *profile;

  if (self->replacing_profiles || self->profiles == NULL)
    return;

  profile = get_selected_profile (self);
  g_settings_set_string (self->settings, "profile",
                         profile != NULL ? pe_scan_profile_get_id (profile) : "");
}

static gboolean
ensure_batch (PeWindow  *self,
              GError   **error)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *label = NULL;

  if (self->batch_id > 0)
    return TRUE;

  now = g_date_time_new_now_local ();
  label = g_date_time_format (now, "%Y-%m-%d %H:%M");
  /* One row insert in the store; quick enough not to need a thread. */
  self->batch_id = pe_pipeline_new_batch (self->pipeline, label, error);

  return self->batch_id > 0;
}

static void
page_added_cb (PeWindow   *self,
               gint64      batch_id,
               gint64      page_id,
               const char *image_path,
               PePipeline *pipeline)
{
  g_autoptr(PePageItem) item = NULL;
  guint number;

  /* Other windows share the pipeline; only this window's batch belongs in its grid. */
  if (batch_id != self->batch_id || image_path == NULL)
    return;

  number = g_list_model_get_n_items (G_LIST_MODEL (self->pages)) + 1;
  item = pe_page_item_new (page_id, number, image_path);
  pe_page_item_load_thumbnail (item, THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT,
                               self->thumbnail_cancellable);
  g_list_store_append (self->pages, item);
}

static void
pipeline_progress_cb (PeWindow   *self,
                      const char *stage,
                      guint       done,
                      guint       total,
                      PePipeline *pipeline)
{
  g_autofree char *text = NULL;
  double fraction = total > 0 ? (double)done / total : -1.0;

  if (self->task == TASK_NONE || stage == NULL)
    return;

  /* While scanning, the scanner's own signal is finer grained (within a page). */
  if (g_str_equal (stage, "scan"))
    return;

  if (g_str_equal (stage, "import"))
    text = total > 0
      ? g_strdup_printf (_("Importing page %u of %u…"), MIN (done + 1, total), total)
      : g_strdup (_("Importing…"));
  else if (g_str_equal (stage, "ocr"))
    text = g_strdup_printf (_("Recognising text: page %u of %u…"), MIN (done + 1, total),
                            total);
  else if (g_str_equal (stage, "pdf"))
    text = g_strdup_printf (_("Writing PDF/A: document %u of %u…"), MIN (done + 1, total),
                            total);
  else if (g_str_equal (stage, "deliver"))
    text = g_strdup_printf (_("Delivering document %u of %u…"), MIN (done + 1, total), total);

  /* Reading while the scanner still runs: the bar stays the scanner's, the subtitle names
   * both. */
  if (self->task == TASK_SCAN)
    {
      if (g_str_equal (stage, "ocr"))
        {
          g_free (self->ocr_text);
          self->ocr_text = g_steal_pointer (&text);
          show_scan_and_ocr_text (self);
        }
      return;
    }

  set_progress (self, fraction, text);
}

static void
document_delivered_cb (PeWindow   *self,
                       const char *document_id,
                       const char *pdf_path,
                       PePipeline *pipeline)
{
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  if (!self->processing || pdf_path == NULL)
    return;

  name = g_path_get_basename (pdf_path);
  /* Translators: %s is a file name */
  text = g_strdup_printf (_("Delivered %s"), name);
  adw_window_title_set_subtitle (self->window_title, text);
}

static void
scanner_progress_cb (PeWindow  *self,
                     guint      page,
                     double     fraction,
                     PeScanner *scanner)
{
  if (self->task != TASK_SCAN || !self->scanning)
    return;

  g_free (self->scan_text);
  if (self->backs_pass)
    /* Translators: manual duplex, the pass over the turned-over stack */
    self->scan_text = g_strdup_printf (_("Scanning back %u of %u…"),
                                       MIN (page, self->duplex_fronts), self->duplex_fronts);
  else
    self->scan_text = g_strdup_printf (_("Scanning page %u…"), page);
  self->pending_fraction = fraction;
  show_scan_and_ocr_text (self);
}

static void
clear_pages (PeWindow *self)
{
  g_cancellable_cancel (self->thumbnail_cancellable);
  g_clear_object (&self->thumbnail_cancellable);
  self->thumbnail_cancellable = g_cancellable_new ();
  g_list_store_remove_all (self->pages);
}

static void start_processing (PeWindow *self);
static void task_part_done (PeWindow *self);
static char *display_path (char *path);

static void
process_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PeWindow) self = user_data;

  g_clear_error (&self->process_error);
  memset (&self->summary, 0, sizeof self->summary);
  pe_pipeline_process_finish (PE_PIPELINE (object), result, &self->summary,
                              &self->process_error);
  self->processing = FALSE;
  task_part_done (self);
}

/* Text recognition, PDF/A and delivery of the current batch. While a scan of the batch runs,
 * the pipeline reads each page as it is recorded and makes the documents once the scan has
 * ended with the whole stack. */
static void
start_processing (PeWindow *self)
{
  PeScanProfile *profile;

  g_assert (self->task != TASK_NONE);
  g_assert (!self->processing);

  pe_settings_apply_to_pipeline (self->settings, self->pipeline);

  /* A profile decides the documents' languages and PDF/A level where it sets them; what it
   * leaves out comes from the preferences. */
  profile = self->scan_profile != NULL ? self->scan_profile : get_selected_profile (self);
  if (profile != NULL && pe_scan_profile_get_languages (profile) != NULL)
    pe_pipeline_set_languages (self->pipeline, pe_scan_profile_get_languages (profile));
  if (profile != NULL && pe_scan_profile_get_pdfa (profile) != NULL)
    pe_pipeline_set_pdfa_level (self->pipeline,
                                pe_settings_parse_pdfa_level (pe_scan_profile_get_pdfa (profile)));

  self->processing = TRUE;
  self->processed = TRUE;
  g_clear_error (&self->process_error);
  g_clear_object (&self->process_cancellable);
  self->process_cancellable = g_cancellable_new ();
  pe_pipeline_process_async (self->pipeline, self->batch_id, self->process_cancellable,
                             process_cb, g_object_ref (self));
}

static void
turn_over_response_cb (PeWindow         *self,
                       const char       *response,
                       AdwMessageDialog *dialog)
{
  if (self->task != TASK_NONE || self->duplex_fronts == 0)
    return;

  if (g_str_equal (response, "backs"))
    {
      gtk_widget_activate_action (GTK_WIDGET (self), "win.scan-backs", NULL);
      return;
    }

  /* Single-sided after all: the fronts are the batch. */
  self->duplex_fronts = 0;
  update_actions (self);
  if (g_settings_get_boolean (self->settings, "process-while-scanning"))
    gtk_widget_activate_action (GTK_WIDGET (self), "win.send", NULL);
}

/* Between the two passes of a manual duplex run the clerk turns the stack over; Enter then
 * scans the backs, Escape leaves the fronts as a single-sided batch. */
static void
ask_to_turn_over (PeWindow *self)
{
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  heading = g_strdup_printf (ngettext ("%u Front Scanned", "%u Fronts Scanned",
                                       self->duplex_fronts), self->duplex_fronts);
  dialog = adw_message_dialog_new (GTK_WINDOW (self), heading,
                                   _("Take the stack from the output tray, turn it over as a "
                                     "whole without changing its order, and put it back into "
                                     "the feeder: the last sheet goes in first. Then scan the "
                                     "backs. Skip this if the sheets are printed on one side "
                                     "only."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "skip", _("_Skip Backs"),
                                    "backs", _("Scan _Backs"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "backs",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "backs");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "skip");
  g_signal_connect_object (dialog, "response", G_CALLBACK (turn_over_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
report_scan_error (PeWindow     *self,
                   const GError *error)
{
  gboolean have_pages = g_list_model_get_n_items (G_LIST_MODEL (self->pages)) > 0;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      AdwToast *toast = adw_toast_new (_("Scan cancelled. The pages scanned so far are kept."));

      adw_toast_set_timeout (toast, 8);
      if (have_pages)
        {
          adw_toast_set_button_label (toast, _("_Continue Batch"));
          adw_toast_set_action_name (toast, "win.continue-batch");
        }
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }
  else if (g_error_matches (error, PE_ERROR, PE_ERROR_SHEET_MISMATCH))
    /* Continuing would add a third pass; the message says how to sort it out. */
    show_error (self, _("Fronts and Backs Do Not Match"), error);
  else if (have_pages)
    show_scan_error (self, error);
  else
    show_error (self, _("Scanning Failed"), error);
}

static void
report_delivery (PeWindow *self)
{
  g_autofree char *outbox = NULL;
  g_autofree char *text = NULL;
  AdwToast *toast;

  outbox = display_path (pe_settings_dup_outbox_dir (self->settings));
  text = g_strdup_printf (ngettext ("%u document delivered to %s",
                                    "%u documents delivered to %s", self->summary.documents),
                          self->summary.documents, outbox);
  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 8);
  adw_toast_set_button_label (toast, _("_Open Folder"));
  adw_toast_set_action_name (toast, "win.open-outbox");
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* Called whenever a part of the task (scan, processing, collation) ends. */
static void
task_part_done (PeWindow *self)
{
  g_autoptr(GError) scan_error = NULL;
  g_autoptr(GError) process_error = NULL;
  gboolean processed;
  WindowTask task = self->task;

  if (self->scanning || self->collating)
    return;

  if (self->processing)
    {
      /* The scan stopped part way: the reading is being cancelled (scan_cb). */
      if (self->scan_error != NULL)
        set_progress (self, -1.0, _("Stopping text recognition…"));
      /* The scan has the whole stack; the reading goes on, and Cancel now stops it. */
      else if (self->task == TASK_SCAN)
        {
          self->task = TASK_SEND;
          g_clear_pointer (&self->scan_text, g_free);
          update_actions (self);
          set_progress (self, -1.0, self->ocr_text != NULL ? self->ocr_text
                                                           : _("Recognising text…"));
        }
      return;
    }

  scan_error = g_steal_pointer (&self->scan_error);
  process_error = g_steal_pointer (&self->process_error);
  processed = self->processed;
  self->processed = FALSE;

  /* Delivered documents have left the inbox: the next scan starts a new batch. */
  if (processed && scan_error == NULL && process_error == NULL)
    {
      self->batch_id = 0;
      clear_pages (self);
    }
  end_task (self);

  /* A scan that stopped part way makes no documents (the processing stopped with it, its
   * reading so far kept); what to do about the stack is what the clerk needs to hear. */
  if (scan_error != NULL)
    {
      self->duplex_fronts = 0;
      update_actions (self);
      report_scan_error (self, scan_error);
    }
  else if (self->duplex_fronts > 0 && !self->backs_pass && !processed)
    ask_to_turn_over (self);
  else if (processed && g_error_matches (process_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    /* The batch stays as it is: the next send resumes where this one stopped. */
    show_toast (self, _("Sending cancelled. Send again to continue where it stopped."));
  else if (processed && process_error != NULL)
    show_error (self, _("Sending Failed"), process_error);
  else if (processed)
    report_delivery (self);
  else if (task == TASK_SCAN && self->scan_pages == 0)
    show_toast (self, _("The scanner returned no pages. Insert the pages and scan again."));

  if (self->backs_pass)
    {
      self->backs_pass = FALSE;
      self->duplex_fronts = 0;
      update_actions (self);
    }
}

typedef struct
{
  gint64 batch_id;
  guint  n_fronts;
  guint  n_backs;
} CollateData;

static void
collate_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PePipeline *pipeline = source_object;
  CollateData *data = task_data;
  GPtrArray *records;
  GError *error = NULL;

  if (!pe_pipeline_collate_manual_duplex (pipeline, data->batch_id, data->n_fronts,
                                          data->n_backs, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  /* The grid follows the reading order the store now has. */
  records = pe_store_list_pages (pe_pipeline_get_store (pipeline), data->batch_id, &error);
  if (records == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, records, (GDestroyNotify)g_ptr_array_unref);
}

/* Puts the grid into the order of @records (PePageRecord *, the whole batch), keeping the
 * items and their thumbnails; one model change, so the grid rebuilds once. */
static void
reorder_pages (PeWindow  *self,
               GPtrArray *records)
{
  g_autoptr(GHashTable) items = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                       g_object_unref);
  g_autoptr(GPtrArray) ordered = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->pages));

  for (guint i = 0; i < n; i++)
    {
      PePageItem *item = g_list_model_get_item (G_LIST_MODEL (self->pages), i);

      gint64 page_id = pe_page_item_get_page_id (item);

      g_hash_table_insert (items, g_memdup2 (&page_id, sizeof page_id), item);
    }

  for (guint i = 0; i < records->len; i++)
    {
      PePageRecord *record = g_ptr_array_index (records, i);
      PePageItem *item = g_hash_table_lookup (items, &record->id);

      if (item != NULL)
        g_object_ref (item);
      else
        {
          item = pe_page_item_new (record->id, i + 1, record->image_path);
          pe_page_item_load_thumbnail (item, THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT,
                                       self->thumbnail_cancellable);
        }
      pe_page_item_set_number (item, i + 1);
      g_ptr_array_add (ordered, item);
    }

  g_list_store_splice (self->pages, 0, n, ordered->pdata, ordered->len);
}

static void
collate_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PeWindow) self = user_data;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  self->collating = FALSE;
  records = g_task_propagate_pointer (G_TASK (result), &error);
  if (records == NULL)
    self->scan_error = g_steal_pointer (&error);
  else
    {
      reorder_pages (self, records);
      /* Read and delivered only now: the documents are made in reading order. */
      if (g_settings_get_boolean (self->settings, "process-while-scanning"))
        start_processing (self);
    }

  task_part_done (self);
}

static void
start_collating (PeWindow *self,
                 guint     n_backs)
{
  g_autoptr(GTask) task = NULL;
  CollateData *data = g_new0 (CollateData, 1);

  data->batch_id = self->batch_id;
  data->n_fronts = self->duplex_fronts;
  data->n_backs = n_backs;

  self->collating = TRUE;
  set_progress (self, -1.0, _("Putting the pages in reading order…"));
  task = g_task_new (self->pipeline, NULL, collate_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_collating);
  g_task_set_task_data (task, data, g_free);
  g_task_run_in_thread (task, collate_worker);
}

static void
scan_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PeWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  guint n_pages;

  n_pages = pe_pipeline_scan_finish (PE_PIPELINE (object), result, &error);
  self->scanning = FALSE;
  self->scan_pages = n_pages;

  /* The options pointed into these; the scan is over. */
  g_clear_pointer (&self->scan_source, g_free);
  g_clear_pointer (&self->scan_mode, g_free);
  memset (&self->scan_options, 0, sizeof self->scan_options);

  if (error != NULL)
    {
      /* Cancel, jam, a sheet missing: the rest of the stack is still to come, so the processing
       * stops too (what it has read is kept, Send or Continue Batch go on from there). One
       * Escape stops everything, and the clerk can continue at once. */
      self->scan_error = g_steal_pointer (&error);
      g_cancellable_cancel (self->process_cancellable);
    }
  else if (self->backs_pass)
    start_collating (self, n_pages);
  else if (self->duplex_run)
    self->duplex_fronts = n_pages;

  self->duplex_run = FALSE;
  task_part_done (self);
}

/* Scans into the current batch (self->batch_id, which must exist); @backs_of > 0 for the backs
 * pass of a manual duplex run with that many fronts. */
static void
start_scan (PeWindow *self,
            guint     backs_of)
{
  PeDeviceItem *device;
  PeScanProfile *profile;
  PeSimFeeder *feeder;
  const char *device_name;
  gboolean manual_duplex;

  g_assert (self->batch_id > 0);

  device = gtk_drop_down_get_selected_item (self->device_drop_down);
  if (device == NULL)
    return;

  device_name = pe_device_item_get_name (device);
  g_settings_set_string (self->settings, "last-device", device_name);

  /* The scanner owns the device's SANE thread, so it is kept for the next scan from the same
   * device instead of reopening the device every time. */
  if (self->scanner == NULL ||
      g_strcmp0 (pe_scanner_get_device_name (self->scanner), device_name) != 0)
    {
      g_clear_object (&self->scanner);
      self->scanner = pe_scanner_new (device_name);
      g_signal_connect_object (self->scanner, "progress", G_CALLBACK (scanner_progress_cb),
                               self, G_CONNECT_SWAPPED);
    }

  g_clear_pointer (&self->scan_source, g_free);
  g_clear_pointer (&self->scan_mode, g_free);
  g_clear_object (&self->scan_profile);
  memset (&self->scan_options, 0, sizeof self->scan_options);

  profile = get_selected_profile (self);
  if (profile != NULL)
    {
      /* The options borrow the profile's strings: it is kept until the task ends. */
      self->scan_profile = g_object_ref (profile);
      pe_scan_profile_to_options (self->scan_profile, &self->scan_options);
    }
  else
    {
      self->scan_source = g_settings_get_string (self->settings, "source");
      self->scan_mode = g_settings_get_string (self->settings, "mode");
      self->scan_options.source = self->scan_source[0] != '\0' ? self->scan_source : NULL;
      self->scan_options.mode = self->scan_mode[0] != '\0' ? self->scan_mode : NULL;
      self->scan_options.resolution = g_settings_get_uint (self->settings, "resolution");
    }

  /* The simulated scanner returns the files as they are and has no source or mode. */
  feeder = backs_of > 0 && self->sim_backs != NULL ? self->sim_backs : self->sim_fronts;
  if (feeder != NULL)
    {
      self->scan_options.source = NULL;
      self->scan_options.mode = NULL;
      self->scan_options.resolution = 0;
      self->scan_options.page_size = NULL;
      self->scan_options.options = NULL;
    }

  manual_duplex = profile != NULL && pe_scan_profile_is_manual_duplex (profile);
  self->scan_options.backs_of = backs_of;
  self->backs_pass = backs_of > 0;
  self->duplex_run = manual_duplex && backs_of == 0;
  if (backs_of == 0)
    self->duplex_fronts = 0;

  g_clear_error (&self->scan_error);
  self->scan_pages = 0;
  begin_task (self, TASK_SCAN, backs_of > 0 ? _("Starting the scanner for the backs…")
                                            : _("Starting the scanner…"));
  set_progress (self, -1.0, NULL);

  self->scanning = TRUE;
  pe_pipeline_scan_async (self->pipeline, self->batch_id, self->scanner, &self->scan_options,
                          feeder != NULL ? pe_sim_feeder_sheet_func : NULL, feeder,
                          self->task_cancellable, scan_cb, g_object_ref (self));

  /* The pipeline follows the scan it was just given: pages are read as they are recorded.
   * Not for a manual duplex run, whose documents wait for the collated order. */
  if (!manual_duplex && g_settings_get_boolean (self->settings, "process-while-scanning"))
    start_processing (self);
}

/* The scan actions' common condition: a scanner chosen, nothing running, a store open. */
static gboolean
can_scan (PeWindow *self)
{
  return gtk_drop_down_get_selected_item (self->device_drop_down) != NULL &&
         self->task == TASK_NONE && self->pipeline != NULL;
}

static void
scan_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PeWindow *self = PE_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (!can_scan (self))
    return;

  if (!ensure_batch (self, &error))
    {
      show_error (self, _("Cannot Start a New Batch"), error);
      return;
    }

  start_scan (self, 0);
}

/* The second pass of a manual duplex run: the turned-over stack, last sheet first. */
static void
scan_backs_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PeWindow *self = PE_WINDOW (widget);

  if (!can_scan (self) || self->batch_id <= 0 || self->duplex_fronts == 0)
    return;

  start_scan (self, self->duplex_fronts);
}

/* After a cancel or a jam: the pages so far stay, the rest of the stack follows them into the
 * same batch, numbered on from the last page. */
static void
continue_batch_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  PeWindow *self = PE_WINDOW (widget);

  if (!can_scan (self) || self->batch_id <= 0)
    return;

  start_scan (self, 0);
}

/* The batch on screen stays in the store as it is (it is offered again at the next start if
 * it is still the latest unfinished one); the next scan or import starts a new batch. */
static void
new_batch_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PeWindow *self = PE_WINDOW (widget);

  if (self->task != TASK_NONE || self->batch_id <= 0)
    return;

  self->batch_id = 0;
  self->duplex_fronts = 0;
  clear_pages (self);
  update_content (self);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PeWindow *self = PE_WINDOW (widget);

  if (self->task == TASK_NONE)
    return;

  /* While scanning, the scan stops after the current page and takes the reading with it
   * (scan_cb); once the stack is in, Cancel stops the reading and delivery. */
  if (self->task == TASK_SCAN)
    g_cancellable_cancel (self->task_cancellable);
  else
    {
      g_cancellable_cancel (self->task_cancellable);
      g_cancellable_cancel (self->process_cancellable);
    }
  adw_window_title_set_subtitle (self->window_title, _("Cancelling…"));
}

static void
import_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PeWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  guint n_pages;

  n_pages = pe_pipeline_import_finish (PE_PIPELINE (object), result, &error);

  g_clear_pointer (&self->import_paths, g_strfreev);
  end_task (self);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_toast (self, _("Import cancelled. The pages imported so far are kept."));
  else if (error != NULL)
    show_error (self, _("Import Failed"), error);
  else
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (ngettext ("%u page imported", "%u pages imported", n_pages),
                              n_pages);
      show_toast (self, text);
    }
}

static void
import_response_cb (PeWindow             *self,
                    int                   response,
                    GtkFileChooserNative *chooser)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) paths = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));
      guint n_files = g_list_model_get_n_items (files);

      for (guint i = 0; i < n_files; i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          g_autofree char *path = g_file_get_path (file);

          /* The portal hands out local paths (under /run/user/…/doc) even for remote
           * files. */
          if (path != NULL)
            g_strv_builder_add (builder, path);
        }
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_clear_object (&self->import_chooser);

  paths = g_strv_builder_end (builder);
  if (paths[0] != NULL)
    pe_window_import_files (self, (const char * const *)paths);
}

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PeWindow *self = PE_WINDOW (widget);
  g_autoptr(GtkFileFilter) all = NULL;
  g_autoptr(GtkFileFilter) pdf = NULL;
  g_autoptr(GtkFileFilter) images = NULL;
  static const char *image_types[] = { "image/png", "image/tiff", "image/jpeg", NULL };

  if (self->import_chooser != NULL || self->task != TASK_NONE)
    return;

  /* GtkFileChooserNative: GTK 4.8 has no GtkFileDialog, and in the Flatpak the portal
   * grants access to exactly the chosen files. */
  self->import_chooser = gtk_file_chooser_native_new (_("Import Files"), GTK_WINDOW (self),
                                                      GTK_FILE_CHOOSER_ACTION_OPEN,
                                                      _("_Import"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->import_chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->import_chooser), TRUE);

  all = gtk_file_filter_new ();
  gtk_file_filter_set_name (all, _("PDF Documents and Images"));
  pdf = gtk_file_filter_new ();
  gtk_file_filter_set_name (pdf, _("PDF Documents"));
  images = gtk_file_filter_new ();
  gtk_file_filter_set_name (images, _("Images (PNG, TIFF, JPEG)"));

  gtk_file_filter_add_mime_type (all, "application/pdf");
  gtk_file_filter_add_mime_type (pdf, "application/pdf");
  for (guint i = 0; image_types[i] != NULL; i++)
    {
      gtk_file_filter_add_mime_type (all, image_types[i]);
      gtk_file_filter_add_mime_type (images, image_types[i]);
    }

  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->import_chooser), all);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->import_chooser), pdf);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->import_chooser), images);

  g_signal_connect_object (self->import_chooser, "response", G_CALLBACK (import_response_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->import_chooser));
}

/* "~/Dokumente/Posteingang" reads better in a toast than the full path. Takes @path. */
static char *
display_path (char *path)
{
  g_autofree char *owned = path;
  g_autofree char *display = g_filename_display_name (path);
  const char *home = g_get_home_dir ();
  gsize home_len = strlen (home);

  if (home_len > 1 && g_str_has_prefix (display, home) && display[home_len] == G_DIR_SEPARATOR)
    return g_strconcat ("~", display + home_len, NULL);

  return g_steal_pointer (&display);
}

static void
count_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  PePipeline *pipeline = source_object;
  gint64 batch_id = *(gint64 *)task_data;
  g_autoptr(GPtrArray) records = NULL;
  gssize n = 0;

  /* The store lock can be held by a worker for a while: never on the main thread. */
  records = pe_store_list_pages (pe_pipeline_get_store (pipeline), batch_id, NULL);
  for (guint i = 0; records != NULL && i < records->len; i++)
    if (((PePageRecord *)g_ptr_array_index (records, i))->state < PE_PAGE_OCR_DONE)
      n++;

  g_task_return_int (task, n);
}

static void
count_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PeWindow) self = user_data;
  gssize to_read = g_task_propagate_int (G_TASK (result), NULL);

  if (self->task != TASK_SEND || self->processing)
    return;

  if (g_cancellable_is_cancelled (self->task_cancellable))
    {
      self->processed = TRUE;
      self->process_error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "");
      task_part_done (self);
      return;
    }

  /* The pipeline reports OCR progress as pages finish; until the first one does, say which
   * page is being read, so the first page is not silently skipped in the count. */
  if (to_read > 0)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (_("Recognising text: page %u of %u…"), 1, (guint)to_read);
      set_progress (self, 0.0, text);
    }

  start_processing (self);
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PeWindow *self = PE_WINDOW (widget);
  g_autoptr(GTask) task = NULL;

  if (self->task != TASK_NONE || self->batch_id <= 0 || self->pipeline == NULL)
    return;

  begin_task (self, TASK_SEND, _("Preparing documents…"));
  set_progress (self, -1.0, NULL);

  task = g_task_new (self->pipeline, NULL, count_cb, g_object_ref (self));
  g_task_set_source_tag (task, send_action);
  g_task_set_task_data (task, g_memdup2 (&self->batch_id, sizeof self->batch_id), g_free);
  g_task_run_in_thread (task, count_worker);
}

static void
open_outbox_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PeWindow *self = PE_WINDOW (widget);
  g_autofree char *dir = pe_settings_dup_outbox_dir (self->settings);
  g_autoptr(GFile) file = g_file_new_for_path (dir);
  g_autofree char *uri = g_file_get_uri (file);

  gtk_show_uri (GTK_WINDOW (self), uri, GDK_CURRENT_TIME);
}

static void
select_device (PeWindow   *self,
               const char *name)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->devices));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PeDeviceItem) item = g_list_model_get_item (G_LIST_MODEL (self->devices), i);

      if (g_strcmp0 (pe_device_item_get_name (item), name) == 0)
        {
          gtk_drop_down_set_selected (self->device_drop_down, i);
          return;
        }
    }

  gtk_drop_down_set_selected (self->device_drop_down, n > 0 ? 0 : GTK_INVALID_LIST_POSITION);
}

static void
list_devices_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(PeWindow) self = user_data;
  g_autoptr(GPtrArray) infos = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *last = NULL;

  infos = pe_sane_list_devices_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->listing_devices = FALSE;
  g_clear_object (&self->devices_cancellable);
  gtk_stack_set_visible_child_name (self->refresh_stack, "button");

  if (infos == NULL)
    {
      g_autofree char *text = NULL;

      /* Translators: %s is the reason, from the scanner library */
      text = g_strdup_printf (_("Cannot list scanners: %s"), error->message);
      show_toast (self, text);
      infos = g_ptr_array_new ();
    }

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < infos->len; i++)
    g_ptr_array_add (items, pe_device_item_new (g_ptr_array_index (infos, i)));

  /* Replacing the list moves the selection; that is not the user choosing a device. */
  self->replacing_devices = TRUE;
  g_list_store_splice (self->devices, 0, g_list_model_get_n_items (G_LIST_MODEL (self->devices)),
                       items->pdata, items->len);
  last = g_settings_get_string (self->settings, "last-device");
  select_device (self, last);
  self->replacing_devices = FALSE;

  gtk_stack_set_visible_child_name (self->device_stack, items->len > 0 ? "devices" : "none");
  update_actions (self);
}

static void
refresh_devices_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  PeWindow *self = PE_WINDOW (widget);

  if (self->listing_devices)
    return;

  self->listing_devices = TRUE;
  self->devices_cancellable = g_cancellable_new ();
  gtk_stack_set_visible_child_name (self->refresh_stack, "spinner");
  update_actions (self);

  /* Network scanners included: a mailroom's scanner is often a shared one. SANE's discovery
   * can take seconds, so it runs on the SANE thread. */
  pe_sane_list_devices_async (FALSE, self->devices_cancellable, list_devices_cb,
                              g_object_ref (self));
}

static void
device_selected_cb (PeWindow    *self,
                    GParamSpec  *pspec,
                    GtkDropDown *drop_down)
{
  PeDeviceItem *item = gtk_drop_down_get_selected_item (drop_down);

  if (!self->replacing_devices && item != NULL)
    g_settings_set_string (self->settings, "last-device", pe_device_item_get_name (item));

  update_actions (self);
}

static void
pages_changed_cb (PeWindow   *self,
                  guint       position,
                  guint       removed,
                  guint       added,
                  GListModel *pages)
{
  update_content (self);
}

static gboolean
show_pipeline_error_cb (gpointer user_data)
{
  PeWindow *self = user_data;

  if (self->pipeline_error != NULL)
    show_error (self, _("Cannot Open the Batch Store"), self->pipeline_error);

  return G_SOURCE_REMOVE;
}

typedef struct
{
  gint64     batch_id;
  GPtrArray *records;   /* PePageRecord *, reading order */
} RestoreResult;

static void
restore_result_free (RestoreResult *result)
{
  g_clear_pointer (&result->records, g_ptr_array_unref);
  g_free (result);
}

/* The last batch with pages, if it is not delivered yet: what a crash or a quit left behind.
 * A batch the clerk has finished (all documents delivered) ends the search, so an older batch
 * left on purpose does not come back. Returns NULL (no error) when there is nothing. */
static void
restore_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PeStore *store = pe_pipeline_get_store (PE_PIPELINE (source_object));
  g_autoptr(GArray) batches = NULL;
  GError *error = NULL;

  batches = pe_store_list_batches (store, &error);
  if (batches == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  for (guint i = batches->len; i > 0; i--)
    {
      gint64 batch_id = g_array_index (batches, gint64, i - 1);
      g_autoptr(GPtrArray) pages = NULL;
      g_autoptr(GPtrArray) docs = NULL;
      gboolean delivered;
      RestoreResult *result;

      if (g_task_return_error_if_cancelled (task))
        return;

      pages = pe_store_list_pages (store, batch_id, &error);
      if (pages == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      /* Started but nothing scanned into it (an empty feeder): not a batch to go on with. */
      if (pages->len == 0)
        continue;

      docs = pe_store_list_documents (store, batch_id, &error);
      if (docs == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      delivered = docs->len > 0;
      for (guint j = 0; j < docs->len; j++)
        if (((PeDocumentRecord *)g_ptr_array_index (docs, j))->state != PE_DOCUMENT_DELIVERED)
          delivered = FALSE;
      if (delivered)
        break;

      result = g_new0 (RestoreResult, 1);
      result->batch_id = batch_id;
      result->records = g_steal_pointer (&pages);
      g_task_return_pointer (task, result, (GDestroyNotify)restore_result_free);
      return;
    }

  g_task_return_pointer (task, NULL, NULL);
}

static void
restore_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PeWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *text = NULL;
  RestoreResult *restored;
  AdwToast *toast;

  restored = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->restore_cancellable);

  if (error != NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s says why, from the batch store */
      message = g_strdup_printf (_("The last batch could not be shown: %s"), error->message);
      show_toast (self, message);
      return;
    }

  /* Nothing left over; or the clerk has already started something else. */
  if (restored == NULL || self->batch_id != 0 || self->task != TASK_NONE)
    {
      g_clear_pointer (&restored, restore_result_free);
      return;
    }

  self->batch_id = restored->batch_id;
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < restored->records->len; i++)
    {
      PePageRecord *record = g_ptr_array_index (restored->records, i);
      PePageItem *item = pe_page_item_new (record->id, i + 1, record->image_path);

      pe_page_item_load_thumbnail (item, THUMBNAIL_WIDTH, THUMBNAIL_HEIGHT,
                                   self->thumbnail_cancellable);
      g_ptr_array_add (items, item);
    }
  /* One model change for the whole batch: the grid builds its tiles once. */
  g_list_store_splice (self->pages, 0, g_list_model_get_n_items (G_LIST_MODEL (self->pages)),
                       items->pdata, items->len);

  /* Translators: shown at start when the last batch was neither sent nor discarded */
  text = g_strdup_printf (ngettext ("Unfinished batch %lld with %u page: scan on into it or "
                                    "send it",
                                    "Unfinished batch %lld with %u pages: scan on into it or "
                                    "send it", items->len),
                          (long long)restored->batch_id, items->len);
  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_button_label (toast, _("_New Batch"));
  adw_toast_set_action_name (toast, "win.new-batch");
  adw_toast_overlay_add_toast (self->toast_overlay, toast);

  restore_result_free (restored);
}

/* The store is read on a worker: with many batches and pages it takes a moment. */
static void
restore_last_batch (PeWindow *self)
{
  g_autoptr(GTask) task = NULL;

  self->restore_cancellable = g_cancellable_new ();
  task = g_task_new (self->pipeline, self->restore_cancellable, restore_cb, g_object_ref (self));
  g_task_set_source_tag (task, restore_last_batch);
  g_task_run_in_thread (task, restore_worker);
}

/* Not in constructed(): GtkWindow:application is an ordinary property, set only after it. */
static void
attach_to_application (PeWindow      *self,
                       PeApplication *app)
{
  PePipeline *pipeline;

  pipeline = pe_application_get_pipeline (app, &self->pipeline_error);
  if (pipeline != NULL)
    {
      self->pipeline = g_object_ref (pipeline);
      g_signal_connect_object (pipeline, "page-added", G_CALLBACK (page_added_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (pipeline, "progress", G_CALLBACK (pipeline_progress_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (pipeline, "document-delivered",
                               G_CALLBACK (document_delivered_cb), self, G_CONNECT_SWAPPED);
      restore_last_batch (self);
    }
  else
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, show_pipeline_error_cb, g_object_ref (self),
                     g_object_unref);

  update_content (self);
  gtk_widget_activate_action (GTK_WIDGET (self), "win.refresh-devices", NULL);
}

static void
pe_window_dispose (GObject *object)
{
  PeWindow *self = (PeWindow *)object;

  g_cancellable_cancel (self->devices_cancellable);
  g_cancellable_cancel (self->task_cancellable);
  g_cancellable_cancel (self->process_cancellable);
  g_cancellable_cancel (self->thumbnail_cancellable);
  g_cancellable_cancel (self->restore_cancellable);
  if (self->progress_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->progress_tick);
      self->progress_tick = 0;
    }
  if (self->import_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->import_chooser));

  gtk_widget_dispose_template (GTK_WIDGET (self), PE_TYPE_WINDOW);

  g_clear_object (&self->import_chooser);
  g_clear_object (&self->devices_cancellable);
  g_clear_object (&self->task_cancellable);
  g_clear_object (&self->process_cancellable);
  g_clear_object (&self->thumbnail_cancellable);
  g_clear_object (&self->restore_cancellable);
  g_clear_object (&self->sim_fronts);
  g_clear_object (&self->sim_backs);
  g_clear_object (&self->scanner);
  g_clear_object (&self->scan_profile);
  g_clear_pointer (&self->profiles, g_ptr_array_unref);
  g_clear_object (&self->profile_names);
  g_clear_object (&self->pipeline);
  g_clear_object (&self->devices);
  g_clear_object (&self->pages);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pe_window_parent_class)->dispose (object);
}

static void
pe_window_finalize (GObject *object)
{
  PeWindow *self = (PeWindow *)object;

  g_clear_error (&self->pipeline_error);
  g_clear_error (&self->scan_error);
  g_clear_error (&self->process_error);
  g_clear_pointer (&self->scan_text, g_free);
  g_clear_pointer (&self->ocr_text, g_free);
  g_clear_pointer (&self->scan_source, g_free);
  g_clear_pointer (&self->scan_mode, g_free);
  g_clear_pointer (&self->import_paths, g_strfreev);

  G_OBJECT_CLASS (pe_window_parent_class)->finalize (object);
}

static void
pe_window_realize (GtkWidget *widget)
{
  PeWindow *self = PE_WINDOW (widget);

  GTK_WIDGET_CLASS (pe_window_parent_class)->realize (widget);

  /* Software rendering (VMs, remote desktops, Xvfb) blends a cross-fade pixel by pixel: the
   * page area's takes 25-30 ms a frame, Scan turning into Cancel 15-25 ms (measured by
   * /app/window/responsive), long enough to stall the UI just as the scan starts and the first
   * pages arrive. Only the GL renderers fade. */
  if (GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (GTK_NATIVE (self))))
    {
      gtk_stack_set_transition_type (self->content_stack, GTK_STACK_TRANSITION_TYPE_NONE);
      gtk_stack_set_transition_type (self->scan_stack, GTK_STACK_TRANSITION_TYPE_NONE);
    }
}

static void
pe_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  PeWindow *self = PE_WINDOW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, pe_window_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pe_window_class_init (PeWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pe_window_dispose;
  object_class->finalize = pe_window_finalize;
  object_class->get_property = pe_window_get_property;
  widget_class->realize = pe_window_realize;

  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The list item templates look these types up by name. */
  g_type_ensure (PE_TYPE_DEVICE_ITEM);
  g_type_ensure (PE_TYPE_PAGE_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/de/posteingang/Posteingang/pe-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PeWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PeWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, PeWindow, device_stack);
  gtk_widget_class_bind_template_child (widget_class, PeWindow, device_drop_down);
  gtk_widget_class_bind_template_child (widget_class, PeWindow, profile_drop_down);
  gtk_widget_class_bind_template_child (widget_class, PeWindow, refresh_stack);
  gtk_widget_class_bind_template_child (widget_class, PeWindow, scan_stack);
  gtk_widget_class_bind_template_child (widget_class, PeWindow, scan_button);
  gtk_widget_class_bind_template_child (widget_class, PeWindow, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PeWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PeWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, PeWindow, status_page);
  gtk_widget_class_bind_template_child (widget_class, PeWindow, page_grid);
  gtk_widget_class_bind_template_callback (widget_class, device_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, profile_selected_cb);

  gtk_widget_class_install_action (widget_class, "win.scan", NULL, scan_action);
  gtk_widget_class_install_action (widget_class, "win.continue-batch", NULL,
                                   continue_batch_action);
  gtk_widget_class_install_action (widget_class, "win.scan-backs", NULL, scan_backs_action);
  gtk_widget_class_install_action (widget_class, "win.new-batch", NULL, new_batch_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "win.refresh-devices", NULL,
                                   refresh_devices_action);
  gtk_widget_class_install_action (widget_class, "win.open-outbox", NULL, open_outbox_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "win.scan", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "win.scan", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.continue-batch", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK,
                                       "win.new-batch", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK,
                                       "win.import", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return,
                                       GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.send", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0,
                                       "win.refresh-devices", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK,
                                       "win.refresh-devices", NULL);
}

static void
pe_window_init (PeWindow *self)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = pe_settings_new ();
  self->devices = g_list_store_new (PE_TYPE_DEVICE_ITEM);
  self->pages = g_list_store_new (PE_TYPE_PAGE_ITEM);
  self->thumbnail_cancellable = g_cancellable_new ();

  gtk_drop_down_set_model (self->device_drop_down, G_LIST_MODEL (self->devices));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->pages)));
  gtk_grid_view_set_model (self->page_grid, GTK_SELECTION_MODEL (selection));

  g_signal_connect_object (self->pages, "items-changed", G_CALLBACK (pages_changed_cb), self,
                           G_CONNECT_SWAPPED);

  load_profiles (self);
  g_signal_connect_object (self->settings, "changed::profile",
                           G_CALLBACK (select_profile_from_settings), self, G_CONNECT_SWAPPED);

  g_settings_bind (self->settings, "window-width", self, "default-width",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-height", self, "default-height",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "window-maximized", self, "maximized",
                   G_SETTINGS_BIND_DEFAULT);
}

PeWindow *
pe_window_new (PeApplication *application)
{
  PeWindow *self;

  g_return_val_if_fail (PE_IS_APPLICATION (application), NULL);

  self = g_object_new (PE_TYPE_WINDOW,
                       "application", application,
                       NULL);
  attach_to_application (self, application);

  return self;
}

GListModel *
pe_window_get_devices (PeWindow *self)
{
  g_return_val_if_fail (PE_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->devices);
}

GListModel *
pe_window_get_pages (PeWindow *self)
{
  g_return_val_if_fail (PE_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->pages);
}

void
pe_window_import_files (PeWindow           *self,
                        const char * const *paths)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PE_IS_WINDOW (self));
  g_return_if_fail (paths != NULL);

  if (paths[0] == NULL || self->task != TASK_NONE || self->pipeline == NULL)
    return;

  if (!ensure_batch (self, &error))
    {
      show_error (self, _("Cannot Start a New Batch"), error);
      return;
    }

  g_clear_pointer (&self->import_paths, g_strfreev);
  self->import_paths = g_strdupv ((char **)paths);

  begin_task (self, TASK_IMPORT, _("Importing…"));
  set_progress (self, -1.0, NULL);
  pe_pipeline_import_async (self->pipeline, self->batch_id,
                            (const char * const *)self->import_paths, self->task_cancellable,
                            import_cb, g_object_ref (self));
}

gint64
pe_window_get_batch_id (PeWindow *self)
{
  g_return_val_if_fail (PE_IS_WINDOW (self), 0);

  return self->batch_id;
}

gboolean
pe_window_get_busy (PeWindow *self)
{
  g_return_val_if_fail (PE_IS_WINDOW (self), FALSE);

  return self->task != TASK_NONE;
}

gboolean
pe_window_get_processing (PeWindow *self)
{
  g_return_val_if_fail (PE_IS_WINDOW (self), FALSE);

  return self->processing;
}

void
pe_window_set_sim_feeders (PeWindow    *self,
                           PeSimFeeder *fronts,
                           PeSimFeeder *backs)
{
  g_return_if_fail (PE_IS_WINDOW (self));
  g_return_if_fail (fronts == NULL || PE_IS_SIM_FEEDER (fronts));
  g_return_if_fail (backs == NULL || PE_IS_SIM_FEEDER (backs));

  g_set_object (&self->sim_fronts, fronts);
  g_set_object (&self->sim_backs, backs);
}
