//! One integration-test binary (one link step): the real bot against the simulated Discord.

mod support;

mod admin;
mod browser;
mod challenge;
mod cli;
mod community;
mod course;
mod effects;
mod gateway;
mod hardening;
mod highlights;
mod homework;
mod house;
mod membership;
mod outbox;
mod paying;
mod points;
mod qa;
mod renewals;
mod role_menus;
mod rules;
mod schedule;
mod sim_shapes;
mod startup;
mod stripe;
mod stripe_objects;
mod trust;
mod web;
