//! kring: a closed knowledge-exchange platform for Communities of Practice of Dutch municipalities.

pub mod api;
pub mod app;
pub mod attachments;
pub mod auth;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod format;
pub mod ical;
pub mod jobs;
pub mod mail;
pub mod map;
pub mod meeting;
pub mod note;
pub mod practice;
pub mod registration;
pub mod search;
pub mod storage;
pub mod thumbnails;
pub mod topic;
pub mod web;
