//! Shared test harness: free ports, awaiting a condition, a controllable
//! exporter, launchers for the real Prometheus and Alertmanager binaries, and
//! a way to evaluate a playbook through the library the way `check` does.
//!
//! Each test file uses a part of it, so unused items are expected.
#![allow(dead_code)]

pub mod alertmanager;
pub mod autopack;
pub mod chromium;
pub mod etcd;
pub mod exporter;
pub mod file_exporter;
pub mod journal_cli;
pub mod journal_world;
pub mod kube_api;
pub mod metrics_server;
pub mod net;
pub mod playbook;
pub mod postgres;
pub mod process;
pub mod prometheus;
pub mod prometheus_jobs;
pub mod rl_policy_world;
pub mod tmux;
pub mod tmux_server;
pub mod webhook;
