"""The parts of the system under test the suite drives, as in Kafka's kafkatest/services: the local
stack, the REST proxy, Kafka's wire protocol, the HTTP fault proxy and the streamhost hosts."""
