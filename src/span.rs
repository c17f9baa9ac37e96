//! Spans of time as people type them, in English and Chinese: `10m`, `2h`, `7d`, `2w`,
//! `1h30m`, `90 minutes`, `10分钟`, `两周`, `半小时`. Pure; used by timeouts, reminders,
//! event durations and membership durations, each with its own upper bound.

use std::time::Duration;

/// `10m`, `2h`, `7d`, `2w`, `1h30m`, `90 minutes`, and Chinese: `10分钟`, `2小时`, `7天`,
/// `两周`, `三天`, `半小时`. `None` when unreadable or zero; no upper bound (callers set theirs).
pub fn parse(text: &str) -> Option<Duration> {
    let text = text.trim().to_lowercase();
    if text.is_empty() {
        return None;
    }
    let seconds = if text.chars().any(|c| c as u32 > 0x2E80) {
        parse_chinese(&text)?
    } else {
        parse_latin(&text)?
    };
    if seconds == 0 {
        return None;
    }
    Some(Duration::from_secs(seconds))
}

fn unit_seconds(unit: &str) -> Option<u64> {
    Some(match unit {
        "s" | "sec" | "secs" | "second" | "seconds" | "秒" | "秒钟" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" | "分" | "分钟" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" | "时" | "小时" | "个小时" => 3_600,
        "d" | "day" | "days" | "天" | "日" => 86_400,
        "w" | "wk" | "week" | "weeks" | "周" | "星期" | "个星期" | "礼拜" => 604_800,
        _ => return None,
    })
}

fn parse_latin(text: &str) -> Option<u64> {
    let mut total: u64 = 0;
    let mut rest = text.trim();
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        let number: u64 = rest[..digits].parse().ok()?;
        rest = rest[digits..].trim_start();
        let unit_end = rest
            .find(|c: char| !c.is_alphabetic())
            .unwrap_or(rest.len());
        let unit = unit_seconds(&rest[..unit_end])?;
        total = total.saturating_add(number.saturating_mul(unit));
        rest = rest[unit_end..]
            .trim_start()
            .trim_start_matches(',')
            .trim_start();
    }
    Some(total)
}

fn chinese_number(text: &str) -> Option<f64> {
    if let Ok(n) = text.parse::<f64>() {
        return Some(n);
    }
    let digit = |c: char| -> Option<u64> {
        Some(match c {
            '零' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    match text {
        "半" => return Some(0.5),
        "十" => return Some(10.0),
        _ => {}
    }
    let chars: Vec<char> = text.chars().collect();
    match chars.as_slice() {
        [d] => digit(*d).map(|n| n as f64),
        ['十', d] => digit(*d).map(|n| (10 + n) as f64),
        [t, '十'] => digit(*t).map(|n| (n * 10) as f64),
        [t, '十', d] => Some((digit(*t)? * 10 + digit(*d)?) as f64),
        _ => None,
    }
}

fn parse_chinese(text: &str) -> Option<u64> {
    let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let units = [
        "个小时",
        "个星期",
        "分钟",
        "小时",
        "星期",
        "礼拜",
        "秒钟",
        "秒",
        "分",
        "时",
        "天",
        "日",
        "周",
    ];
    for unit in units {
        if let Some(number) = text.strip_suffix(unit) {
            let number = number.trim_end_matches('个');
            let n = chinese_number(number)?;
            let seconds = unit_seconds(unit)?;
            return Some((n * seconds as f64).round() as u64);
        }
    }
    None
}
