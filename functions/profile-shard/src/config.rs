//! profile-shard's configuration, read once at start-up; the README's "Configuration" table
//! lists every variable.

use driftline_aws::config::{self as cfg, Common, ConfigError, EnvSource};

/// `MAX_SHARD_BYTES`: the most bytes one invocation reads of an object (larger CSV / JSON
/// Lines objects are split into byte ranges, larger Parquet objects into row groups).
pub const MAX_SHARD_BYTES: &str = "MAX_SHARD_BYTES";
/// Default of [`MAX_SHARD_BYTES`]: 1 GiB (about 10 s of profiling, well inside 15 minutes).
pub const DEFAULT_MAX_SHARD_BYTES: u64 = 1 << 30;
/// `MERGE_FAN_IN`: the most shard profiles one merge reads (the merge tree's fan-in).
pub const MERGE_FAN_IN: &str = "MERGE_FAN_IN";
/// Default of [`MERGE_FAN_IN`].
pub const DEFAULT_MERGE_FAN_IN: usize = 64;

/// Validated configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// Bucket and prefix of everything driftline writes.
    pub common: Common,
    /// See [`MAX_SHARD_BYTES`].
    pub max_shard_bytes: u64,
    /// See [`MERGE_FAN_IN`].
    pub merge_fan_in: usize,
}

impl Config {
    /// Reads and validates every variable.
    pub fn from_env(env: &impl EnvSource) -> Result<Self, ConfigError> {
        Ok(Config {
            common: Common::from_env(env)?,
            max_shard_bytes: cfg::int_in_range(
                env,
                MAX_SHARD_BYTES,
                DEFAULT_MAX_SHARD_BYTES,
                1 << 20,
                1 << 40,
            )?,
            merge_fan_in: cfg::int_in_range(env, MERGE_FAN_IN, DEFAULT_MERGE_FAN_IN, 2, 1000)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use driftline_aws::config::MapEnv;

    #[test]
    fn defaults_and_limits() {
        let c = Config::from_env(&MapEnv::from([("DRIFTLINE_BUCKET", "bkt")])).unwrap();
        assert_eq!(c.max_shard_bytes, DEFAULT_MAX_SHARD_BYTES);
        assert_eq!(c.merge_fan_in, DEFAULT_MERGE_FAN_IN);
        assert_eq!(c.common.prefix, "driftline");
        let e = Config::from_env(&MapEnv::from([
            ("DRIFTLINE_BUCKET", "bkt"),
            (MERGE_FAN_IN, "1"),
        ]))
        .unwrap_err();
        assert!(e.to_string().contains("between 2 and 1000"), "{e}");
        assert!(Config::from_env(&MapEnv::from([(MAX_SHARD_BYTES, "5")])).is_err());
    }
}
