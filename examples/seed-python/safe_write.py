# The seed's safe write: a 60 s retry budget, 5 s connection timeout, a pool of
# 100 connections, and execute_query's built-in retries.
import os
from neo4j import GraphDatabase
import logging

# Set up logging to see the retries in the console
logging.basicConfig(level=logging.INFO)

URI = os.environ.get("NEO4J_URI", "neo4j://localhost:7687")
AUTH = (os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "password123"))

driver = GraphDatabase.driver(
    URI,
    auth=AUTH,
    # If the Leader is down, keep retrying for 60 seconds
    max_transaction_retry_time=60.0,
    # Fail the connection attempt if the server doesn't respond in 5s
    connection_timeout=5.0,
    # Keep up to 100 connections ready to use
    max_connection_pool_size=100
)


def perform_safe_write(name):
    try:
        # execute_query is the modern, high-level way to run queries with built-in retries
        summary = driver.execute_query(
            "MERGE (c:City {name: $name}) RETURN c",
            name=name,
            database_="neo4j"
        )
        print(f"Successfully wrote: {name}")
    except Exception as e:
        print(f"Write failed after 60 seconds of retries: {e}")


# Simulate a write
perform_safe_write("Mumbai")

driver.close()
