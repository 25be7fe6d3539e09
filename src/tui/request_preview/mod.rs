//! The request preview (Ctrl-P): the exact JSON body the form makes and an
//! equivalent curl line (the key written as $USERPILOT_API_KEY).

pub mod view;

use crate::export::{ExportRequest, validate};
use crate::tui::app::{App, Overlay, overlay};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Level, Notice};

impl App {
    pub(crate) fn open_request_preview(&mut self) {
        self.overlay = Some(Overlay::RequestPreview { scroll: 0 });
    }

    pub(crate) fn request_preview_action(&mut self, a: Action) -> Vec<Effect> {
        let max_scroll = view::max_scroll(self, self.overlay_screen());
        let Some(Overlay::RequestPreview { scroll }) = self.overlay.as_mut() else {
            return vec![];
        };
        if overlay::scroll(scroll, a, max_scroll) {
            return vec![];
        }
        match a {
            Action::CopyCurl => match self.preview_request() {
                Ok(req) => vec![Effect::Copy {
                    text: self.curl_for(&req),
                    what: "curl command",
                }],
                Err(_) => {
                    self.status = Some(Notice::new(
                        Level::Warning,
                        "fix the form first: the request is not valid",
                    ));
                    vec![]
                }
            },
            _ => {
                self.dirty = false;
                vec![]
            }
        }
    }

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
