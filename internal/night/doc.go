// Package night is freecam's day/night switching: the Controller drives the IR-cut filter, the
// IR LED and the picture's night look, either by hand (SetNight) or automatically from a light
// level (Run), with the firmware's averaging window and hysteresis plus a minimum dwell time so
// the IR cut never flaps. Every switch is published on the event bus as NightOn or NightOff.
//
// The light level comes from a small LightSensor interface: the hardware ADC light sensor or the
// simulated one of the HAL, or Virtual, the mean luma of the latest picture. Quiet answers
// motion's night_mode_event_delay: is now within D after the last switch?
//
// The package does not know the HAL: it declares the few methods it needs (IRCut, IRLED,
// LightSensor, Look) and the integrator plugs the HAL in. It keeps no global state and logs only
// on switches and on sensor failures, never per sample.
package night
