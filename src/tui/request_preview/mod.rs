//! The request preview (Ctrl-P): the exact JSON body the form makes and an
//! equivalent curl line (the key written as $USERPILOT_API_KEY).

pub mod view;

use crate::export::{ExportRequest, validate};
use crate::tui::app::App;

impl App {
    /// The request the form describes, or the fields in error.
    pub fn preview_request(&self) -> Result<ExportRequest, Vec<crate::export::Issue>> {
        validate(&self.form.to_input(), self.today()).map(|v| v.request)
    }

    /// The curl line for `req` against this environment.
    pub fn curl_for(&self, req: &ExportRequest) -> String {
        let base = crate::api::check_base_url(&self.env.base_url)
            .or_else(|_| crate::api::check_base_url(crate::api::DEFAULT_BASE_URL));
        match base {
            Ok(b) => crate::api::curl_create_export(&b, &req.to_json()),
            Err(_) => String::new(),
        }
    }
}
