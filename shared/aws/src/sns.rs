//! [`Notifier`] on Amazon SNS (`aws-sdk-sns`).

use crate::ports::{Message, Notifier, PortError, PortResult};
use crate::sdk_error::map_sdk_error;
use aws_sdk_sns::types::MessageAttributeValue;
use aws_sdk_sns::Client;

/// Publishes to one SNS topic.
#[derive(Debug, Clone)]
pub struct SnsNotifier {
    client: Client,
    topic_arn: String,
}

impl SnsNotifier {
    /// Publishes to `topic_arn`.
    pub fn new(client: Client, topic_arn: impl Into<String>) -> Self {
        SnsNotifier {
            client,
            topic_arn: topic_arn.into(),
        }
    }

    /// The topic.
    pub fn topic_arn(&self) -> &str {
        &self.topic_arn
    }
}

/// Makes a valid SNS e-mail subject: printable ASCII only (other characters become `?`, line
/// breaks and tabs spaces), at most 99 characters, not blank (SNS refuses anything else).
pub fn sanitize_subject(subject: &str) -> String {
    let mut s: String = subject
        .chars()
        .map(|c| match c {
            ' '..='~' => c,
            '\n' | '\r' | '\t' => ' ',
            _ => '?',
        })
        .take(99)
        .collect();
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return "driftline".to_owned();
    }
    s = trimmed.to_owned();
    s
}

impl Notifier for SnsNotifier {
    async fn publish(&self, message: Message) -> PortResult<String> {
        let mut req = self
            .client
            .publish()
            .topic_arn(&self.topic_arn)
            .message(message.body);
        if !message.subject.trim().is_empty() {
            req = req.subject(sanitize_subject(&message.subject));
        }
        for (name, value) in message.attributes {
            let attr = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value)
                .build()
                .map_err(|e| PortError::Permanent(format!("message attribute {name}: {e}")))?;
            req = req.message_attributes(name, attr);
        }
        let out = req
            .send()
            .await
            .map_err(|e| map_sdk_error(&format!("Publish to {}", self.topic_arn), e))?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_become_valid() {
        assert_eq!(sanitize_subject("Drift on ep\nnow"), "Drift on ep now");
        assert_eq!(sanitize_subject("café"), "caf?");
        assert_eq!(sanitize_subject(&"x".repeat(150)).len(), 99);
        assert_eq!(sanitize_subject(" \n "), "driftline");
    }
}
