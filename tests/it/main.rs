//! One integration-test binary (one link step): the real bot against the simulated Discord.

mod support;

mod admin;
mod browser;
mod cli;
mod community;
mod effects;
mod engage;
mod gateway;
mod hardening;
mod house;
mod membership;
mod outbox;
mod paying;
mod points;
mod rules;
mod schedule;
mod sim_shapes;
mod startup;
mod stripe;
mod stripe_objects;
mod trust;
mod web;
