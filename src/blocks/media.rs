//! Video and audio: WebVTT files read for what the page shows of them (a chapters track as a
//! list of buttons; captions checked to be WebVTT at all), and the media types the player is
//! told.

/// A chapter of a video: its start in seconds and its title.
#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    pub start: f64,
    pub title: String,
}

/// Returns true if and only if `text` starts as a WebVTT file must (`WEBVTT`, after an
/// optional byte-order mark).
pub fn is_webvtt(text: &str) -> bool {
    let t = text.strip_prefix('\u{feff}').unwrap_or(text);
    t.starts_with("WEBVTT")
        && t[6..]
            .chars()
            .next()
            .is_none_or(|c| c == ' ' || c == '\t' || c == '\n' || c == '\r')
}

/// Reads `hh:mm:ss.ttt` or `mm:ss.ttt` into seconds.
fn timestamp(text: &str) -> Option<f64> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let (h, m, s) = match parts.as_slice() {
        [m, s] => ("0", *m, *s),
        [h, m, s] => (*h, *m, *s),
        _ => return None,
    };
    let h: f64 = h.parse().ok()?;
    let m: f64 = m.parse().ok()?;
    let s: f64 = s.parse().ok()?;
    (m < 60.0 && s < 60.0).then_some(h * 3600.0 + m * 60.0 + s)
}

/// The cues of a WebVTT chapters file, in order. `Err` names the first line that is not
/// WebVTT (1-based).
pub fn chapters(text: &str) -> Result<Vec<Chapter>, usize> {
    if !is_webvtt(text) {
        return Err(1);
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 1;
    while i < lines.len() {
        let line = lines[i];
        if let Some((start, _)) = line.split_once("-->") {
            let start = timestamp(start).ok_or(i + 1)?;
            let mut title = String::new();
            i += 1;
            while i < lines.len() && !lines[i].trim().is_empty() {
                if !title.is_empty() {
                    title.push(' ');
                }
                title.push_str(lines[i].trim());
                i += 1;
            }
            out.push(Chapter { start, title });
        }
        i += 1;
    }
    Ok(out)
}

/// `m:ss` (or `h:mm:ss`) for a time in seconds, as a player shows it.
pub fn clock(seconds: f64) -> String {
    let s = seconds.max(0.0).floor() as u64;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

/// The media type of a video or audio file, from its extension.
pub fn media_type(path: &str) -> Option<&'static str> {
    let ext = path.rsplit('.').next()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "webm" => "video/webm",
        "mp4" | "m4v" => "video/mp4",
        "ogv" => "video/ogg",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "wav" => "audio/wav",
        "weba" => "audio/webm",
        _ => return None,
    })
}

/// The language of a captions file named like `intro.es.vtt`, if its name says one.
pub fn lang_of(path: &str) -> Option<&str> {
    let stem = path.strip_suffix(".vtt")?;
    let (_, lang) = stem.rsplit_once('.')?;
    (lang.len() >= 2
        && lang.len() <= 8
        && lang.chars().all(|c| c.is_ascii_alphabetic() || c == '-'))
    .then_some(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chapters_are_read_from_webvtt() {
        let vtt = "WEBVTT\n\n1\n00:00.000 --> 00:05.000\nThe five steps\n\n00:00:05.000 --> 00:00:12.500\nAsking the question\n";
        let c = chapters(vtt).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].start, 5.0);
        assert_eq!(c[1].title, "Asking the question");
        assert_eq!(chapters("not vtt"), Err(1));
        assert_eq!(clock(75.4), "1:15");
        assert_eq!(clock(3725.0), "1:02:05");
    }

    #[test]
    fn names_say_type_and_language() {
        assert_eq!(media_type("a/intro.WEBM"), Some("video/webm"));
        assert_eq!(media_type("intro.avi"), None);
        assert_eq!(lang_of("media/intro.es.vtt"), Some("es"));
        assert_eq!(lang_of("media/intro.vtt"), None);
        assert!(is_webvtt("\u{feff}WEBVTT\n"));
        assert!(!is_webvtt("WEBVTTX"));
    }
}
