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
  GCancellable         *thumbnail_cancellable;
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

  gint64                batch_id;
  WindowTask            task;
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

static void
set_progress (PeWindow   *self,
              double      fraction,
              const char *text)
{
  /* A negative fraction: the amount of work is not known yet. */
  if (fraction < 0)
    gtk_progress_bar_pulse (self->progress_bar);
  else
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0.0, 1.0));

  if (text != NULL)
    adw_window_title_set_subtitle (self->window_title, text);
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

  if (self->task != TASK_SEND || pdf_path == NULL)
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
  g_autofree char *text = NULL;

  if (self->task != TASK_SCAN)
    return;

  text = g_strdup_printf (_("Scanning page %u…"), page);
  set_progress (self, fraction, text);
}

static void
scan_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PeWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  guint n_pages;

  gboolean have_pages;

  n_pages = pe_pipeline_scan_finish (PE_PIPELINE (object), result, &error);

  /* The options pointed into these; the scan is over. */
  g_clear_pointer (&self->scan_source, g_free);
  g_clear_pointer (&self->scan_mode, g_free);
  g_clear_object (&self->scan_profile);
  memset (&self->scan_options, 0, sizeof self->scan_options);
  end_task (self);

  have_pages = g_list_model_get_n_items (G_LIST_MODEL (self->pages)) > 0;

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
  else if (error != NULL && have_pages)
    show_scan_error (self, error);
  else if (error != NULL)
    show_error (self, _("Scanning Failed"), error);
  else if (n_pages == 0)
    show_toast (self, _("The scanner returned no pages. Insert the pages and scan again."));
}

/* Scans into the current batch (self->batch_id, which must exist). */
static void
start_scan (PeWindow *self)
{
  PeDeviceItem *device;
  PeScanProfile *profile;
  const char *device_name;

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
      /* The options borrow the profile's strings: it is kept until scan_cb(). */
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

  begin_task (self, TASK_SCAN, _("Starting the scanner…"));
  set_progress (self, -1.0, NULL);

  pe_pipeline_scan_async (self->pipeline, self->batch_id, self->scanner, &self->scan_options,
                          NULL, NULL, self->task_cancellable, scan_cb, g_object_ref (self));
}

static void
scan_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PeWindow *self = PE_WINDOW (widget);
  g_autoptr(GError) error = NULL;

  if (gtk_drop_down_get_selected_item (self->device_drop_down) == NULL ||
      self->task != TASK_NONE || self->pipeline == NULL)
    return;

  if (!ensure_batch (self, &error))
    {
      show_error (self, _("Cannot Start a New Batch"), error);
      return;
    }

  start_scan (self);
}

/* After a cancel or a jam: the pages so far stay, the rest of the stack follows them into the
 * same batch, numbered on from the last page. */
static void
continue_batch_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  PeWindow *self = PE_WINDOW (widget);

  if (gtk_drop_down_get_selected_item (self->device_drop_down) == NULL ||
      self->task != TASK_NONE || self->pipeline == NULL || self->batch_id <= 0)
    return;

  start_scan (self);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  PeWindow *self = PE_WINDOW (widget);

  if (self->task_cancellable != NULL)
    {
      g_cancellable_cancel (self->task_cancellable);
      adw_window_title_set_subtitle (self->window_title, _("Cancelling…"));
    }
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
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PeWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  PeProcessSummary summary = { 0 };
  g_autofree char *outbox = NULL;
  g_autofree char *text = NULL;
  AdwToast *toast;

  if (!pe_pipeline_process_finish (PE_PIPELINE (object), result, &summary, &error))
    {
      end_task (self);

      /* The batch stays as it is: the next send resumes where this one stopped. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_toast (self, _("Sending cancelled. Send again to continue where it stopped."));
      else
        show_error (self, _("Sending Failed"), error);
      return;
    }

  /* Delivered documents have left the inbox: the next scan starts a new batch. */
  self->batch_id = 0;
  g_cancellable_cancel (self->thumbnail_cancellable);
  g_clear_object (&self->thumbnail_cancellable);
  self->thumbnail_cancellable = g_cancellable_new ();
  g_list_store_remove_all (self->pages);
  end_task (self);

  outbox = display_path (pe_settings_dup_outbox_dir (self->settings));
  text = g_strdup_printf (ngettext ("%u document delivered to %s",
                                    "%u documents delivered to %s", summary.documents),
                          summary.documents, outbox);
  toast = adw_toast_new (text);
  adw_toast_set_timeout (toast, 8);
  adw_toast_set_button_label (toast, _("_Open Folder"));
  adw_toast_set_action_name (toast, "win.open-outbox");
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/* One indexed query on the batch's rows (a few hundred at most), quick on the main thread. */
static guint
count_pages_to_read (PeWindow *self)
{
  g_autoptr(GPtrArray) records = NULL;
  guint n = 0;

  records = pe_store_list_pages (pe_pipeline_get_store (self->pipeline), self->batch_id, NULL);
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      PePageRecord *record = g_ptr_array_index (records, i);

      if (record->state < PE_PAGE_OCR_DONE)
        n++;
    }

  return n;
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  PeWindow *self = PE_WINDOW (widget);
  PeScanProfile *profile;
  guint to_read;

  if (self->task != TASK_NONE || self->batch_id <= 0 || self->pipeline == NULL)
    return;

  pe_settings_apply_to_pipeline (self->settings, self->pipeline);

  /* A profile decides the documents' languages and PDF/A level where it sets them; what it
   * leaves out comes from the preferences. */
  profile = get_selected_profile (self);
  if (profile != NULL && pe_scan_profile_get_languages (profile) != NULL)
    pe_pipeline_set_languages (self->pipeline, pe_scan_profile_get_languages (profile));
  if (profile != NULL && pe_scan_profile_get_pdfa (profile) != NULL)
    pe_pipeline_set_pdfa_level (self->pipeline,
                                pe_settings_parse_pdfa_level (pe_scan_profile_get_pdfa (profile)));

  begin_task (self, TASK_SEND, _("Preparing documents…"));
  set_progress (self, -1.0, NULL);

  /* The pipeline reports OCR progress as pages finish; until the first one does, say which
   * page is being read, so the first page is not silently skipped in the count. */
  to_read = count_pages_to_read (self);
  if (to_read > 0)
    {
      g_autofree char *text = NULL;

      text = g_strdup_printf (_("Recognising text: page %u of %u…"), 1, to_read);
      set_progress (self, 0.0, text);
    }

  pe_pipeline_process_async (self->pipeline, self->batch_id, self->task_cancellable, send_cb,
                             g_object_ref (self));
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
  g_cancellable_cancel (self->thumbnail_cancellable);
  if (self->import_chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->import_chooser));

  gtk_widget_dispose_template (GTK_WIDGET (self), PE_TYPE_WINDOW);

  g_clear_object (&self->import_chooser);
  g_clear_object (&self->devices_cancellable);
  g_clear_object (&self->task_cancellable);
  g_clear_object (&self->thumbnail_cancellable);
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
  g_clear_pointer (&self->scan_source, g_free);
  g_clear_pointer (&self->scan_mode, g_free);
  g_clear_pointer (&self->import_paths, g_strfreev);

  G_OBJECT_CLASS (pe_window_parent_class)->finalize (object);
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
