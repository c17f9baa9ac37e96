//! Which lessons a member has, and when the next unlocks. Pure.

use chrono::{DateTime, Duration, Utc};

use crate::config::products::Lesson;

/// When lesson `lesson` unlocks for a member who started at `start`.
pub fn unlocks_at(start: DateTime<Utc>, lesson: &Lesson) -> DateTime<Utc> {
    start + Duration::from_std(lesson.unlock_after).unwrap_or(Duration::MAX)
}

/// The lessons (by position) due at `now` for a member who started at `start`, and the next
/// instant one more unlocks (`None`: all are due).
pub fn due(
    lessons: &[Lesson],
    start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> (Vec<usize>, Option<DateTime<Utc>>) {
    let mut due = Vec::new();
    let mut next: Option<DateTime<Utc>> = None;
    for (i, lesson) in lessons.iter().enumerate() {
        let at = unlocks_at(start, lesson);
        if at <= now {
            due.push(i);
        } else {
            next = Some(next.map_or(at, |n| n.min(at)));
        }
    }
    (due, next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::LocalizedText;

    fn lesson(days: u64) -> Lesson {
        Lesson {
            title: LocalizedText::plain(format!("day {days}")),
            link: "https://discord.com/channels/1/2".into(),
            unlock_after: std::time::Duration::from_secs(days * 86_400),
            role: None,
        }
    }

    #[test]
    fn lessons_unlock_from_the_members_own_start() {
        let lessons = [lesson(0), lesson(7), lesson(14)];
        let start: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap();
        let (open, next) = due(&lessons, start, start + Duration::days(6));
        assert_eq!(open, vec![0]);
        assert_eq!(next, Some(start + Duration::days(7)));
        let (open, next) = due(&lessons, start, start + Duration::days(7));
        assert_eq!((open, next), (vec![0, 1], Some(start + Duration::days(14))));
        assert_eq!(
            super::due(&lessons, start, start + Duration::days(30)).1,
            None
        );
    }
}
